// The service manager's notification protocol (sd_notify(3)): READY=1, WATCHDOG=1, STATUS=…,
// STOPPING=1 as datagrams to the AF_UNIX socket named by $NOTIFY_SOCKET.
//
// Node cannot open an AF_UNIX datagram socket (dgram is UDP only, net is stream only), so the
// messages go out through `systemd-notify`, which ships with systemd itself. Two details make
// that correct rather than racy:
// - the unit sets NotifyAccess=all: the message comes from the systemd-notify child, not from
//   the main PID; `--pid` names the main PID so systemd attributes it to us either way;
// - systemd-notify (since v246) waits by default until the manager has processed the message
//   (BARRIER=1, sd_notify_barrier(3)), so it never exits before systemd has looked up which
//   unit its PID belongs to — the race that `--no-block` would reopen.
// One fork/exec every watchdog period (15 s with WatchdogSec=30s) costs a few ms of CPU.
import { execFile } from 'node:child_process';

export interface NotifyEnv {
  /** $NOTIFY_SOCKET: unset when not started by systemd (then nothing is sent) */
  socket: string | undefined;
  /** watchdog period in µs ($WATCHDOG_USEC), when the unit has WatchdogSec= and it is ours */
  watchdogUsec: number | undefined;
}

export type NotifyResult = { ok: true } | { ok: false; code: 'SG_NOTIFY_FAILED'; message: string };

/** Reads the service manager's environment the way sd_watchdog_enabled(3) does. */
export function notifyEnv(env: NodeJS.ProcessEnv, pid: number): NotifyEnv {
  const socket = env.NOTIFY_SOCKET || undefined;
  const usec = Number(env.WATCHDOG_USEC);
  // WATCHDOG_PID, when set, names the process the watchdog is meant for: a child that inherited
  // the environment must not ping on its parent's behalf.
  const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === pid;
  return { socket, watchdogUsec: forUs && Number.isInteger(usec) && usec > 0 ? usec : undefined };
}

/** A notification field is one line (STATUS= text comes from log messages). */
export function field(name: string, value: string | number): string {
  return `${name}=${String(value).replace(/[\r\n]+/g, ' ').slice(0, 400)}`;
}

export interface Notifier {
  readonly enabled: boolean;
  send(fields: readonly string[]): Promise<NotifyResult>;
}

export function createNotifier(env: NotifyEnv, pid: number, command = 'systemd-notify', timeoutMs = 5000): Notifier {
  return {
    enabled: env.socket !== undefined,
    send: (fields) => new Promise<NotifyResult>((resolve) => {
      if (env.socket === undefined) return resolve({ ok: true });
      execFile(command, [`--pid=${pid}`, ...fields], { timeout: timeoutMs, env: { ...process.env, NOTIFY_SOCKET: env.socket } }, (err, _out, stderr) => {
        if (!err) return resolve({ ok: true });
        const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `${command} not found (it ships with systemd)` : (stderr.trim() || err.message);
        resolve({ ok: false, code: 'SG_NOTIFY_FAILED', message: why });
      });
    }),
  };
}
