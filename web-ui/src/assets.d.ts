// esbuild bundles stylesheets imported from TypeScript into app.css.
declare module '*.css';
