// decide() as a table: every precedence pair, schedule edges (to the second, overnight, DST in
// Europe/London), override scope and expiry, nominated users, locked categories.
import t from 'tap';
import { compilePolicy, compileOverrides, decide } from '../../src/policy/index.js';
import type { Override } from '../../src/policy/index.js';
import { compileGroupMatcher } from '../../src/identity/index.js';
import { loadZone } from '../../src/schema/index.js';
import { memoryIndex } from '../fixtures/memory-index.js';
import { configFrom } from '../fixtures/config.js';

const index = memoryIndex({
  illegal: { names: ['csam.example', 'illegal-and-allowed.example'] },
  gambling: { names: ['casino.example'] },
  games: { names: ['arcade.example', 'both.example', 'edu-game.example'] },
  social: { names: ['friends.example', 'both.example'] },
  allowlist: { kind: 'allow', names: ['edu-game.example', 'illegal-and-allowed.example'] },
  spring: { names: ['spring.example'] },
  autumn: { names: ['autumn.example'] },
});

const config = await configFrom(`
timezone: Europe/London
locked: [illegal]
calendar:
  holidays: [{ from: "2026-12-21", to: "2027-01-01" }]
schedules:
  lunch: [{ days: [mon, tue, wed, thu, fri], from: "12:15", to: "13:15" }]
  evening: [{ days: [fri, sat], from: "22:00", to: "06:00" }]
  spring: [{ days: [sun], from: "01:30", to: "02:30" }]
  autumn: [{ days: [sun], from: "01:15", to: "01:45" }]
  termtime:
    windows: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "10:00" }]
    except: [holidays]
groups:
  - name: nominated
    match: { macs: ["aa:bb:cc:dd:ee:ff"] }
    block: [gambling]
  - name: pupils
    match: { subnets: ["10.10.1.0/24"] }
    block: [illegal, gambling, games, social, spring, autumn]
    allow: [allowlist]
    allowDuring: { games: [lunch, termtime], social: [evening], spring: [spring], autumn: [autumn] }
  - name: staff
    match: { subnets: ["10.10.2.0/24"] }
    block: [gambling]
  - { name: guests, default: true }
`, ['illegal', 'gambling', 'games', 'social', 'allowlist', 'spring', 'autumn']);

const zone = loadZone('Europe/London');
if (!zone.ok) throw new Error(zone.error);
const policy = compilePolicy(config, index, zone.zone);
const matcher = compileGroupMatcher(config.groups);

let nextId = 0;
function override(o: Partial<Override> & Pick<Override, 'target' | 'scope'>): Override {
  return {
    id: `o${++nextId}`, action: 'allow', reason: 'for the lesson on probability', grantedBy: 'tech',
    createdAt: '2026-11-01T00:00:00Z', startsAt: '2026-11-01T00:00:00Z', expiresAt: '2027-11-01T00:00:00Z', ...o,
  };
}

function run(name: string, at: string, client: { ip: string; mac?: string }, overrides: Override[] = []) {
  const now = Date.parse(at);
  const bits = index.newBits();
  index.lookupInto(name, bits);
  const group = policy.groups[matcher.match(client.ip, client.mac)];
  return { group: group.name, ...decide({ policy, group, name, categories: bits, client, overrides: compileOverrides(overrides, now, (n) => index.categoryId(n)) }, now) };
}

const PUPIL = { ip: '10.10.1.5' };
const OTHER_PUPIL = { ip: '10.10.1.6' };
const STAFF = { ip: '10.10.2.9' };
const GUEST = { ip: '192.168.7.7' };
const MON_CLASS = '2026-11-23T10:30:00Z';
const MON_LUNCH = '2026-11-23T12:30:00Z';

interface Case { name: string; domain: string; at?: string; client?: { ip: string; mac?: string }; overrides?: Override[]; want: string; reason: string; category?: string }

const precedence: Case[] = [
  { name: 'locked beats everything: guests', domain: 'csam.example', client: GUEST, want: 'block', reason: 'locked', category: 'illegal' },
  { name: 'locked beats a domain override', domain: 'csam.example', overrides: [override({ target: { domain: 'csam.example' }, scope: { school: true } })], want: 'block', reason: 'locked' },
  { name: 'locked beats filtering off', domain: 'csam.example', overrides: [override({ target: { all: true }, scope: { client: PUPIL.ip } })], want: 'block', reason: 'locked' },
  { name: 'locked beats an allow list', domain: 'illegal-and-allowed.example', want: 'block', reason: 'locked' },
  { name: 'override beats an allow list', domain: 'edu-game.example', overrides: [override({ target: { domain: 'edu-game.example' }, scope: { group: 'pupils' }, action: 'block' })], want: 'block', reason: 'override' },
  { name: 'override beats a schedule', domain: 'arcade.example', at: MON_LUNCH, overrides: [override({ target: { domain: 'arcade.example' }, scope: { group: 'pupils' }, action: 'block' })], want: 'block', reason: 'override' },
  { name: 'override beats the block list', domain: 'casino.example', overrides: [override({ target: { domain: 'casino.example' }, scope: { group: 'pupils' } })], want: 'allow', reason: 'override' },
  { name: 'category block override beats an allow list', domain: 'edu-game.example', overrides: [override({ target: { category: 'games' }, scope: { group: 'pupils' }, action: 'block' })], want: 'block', reason: 'override', category: 'games' },
  { name: 'allow list beats a closed schedule', domain: 'edu-game.example', at: MON_CLASS, want: 'allow', reason: 'allow-list', category: 'allowlist' },
  { name: 'allow list beats the block list', domain: 'edu-game.example', want: 'allow', reason: 'allow-list' },
  { name: 'allow list only for groups that honour it', domain: 'edu-game.example', client: { ip: '10.10.2.1' }, want: 'allow', reason: 'default' },
  { name: 'schedule beats the block list', domain: 'arcade.example', at: MON_LUNCH, want: 'allow', reason: 'schedule', category: 'games' },
  { name: 'block list beats default allow', domain: 'arcade.example', at: MON_CLASS, want: 'block', reason: 'group-block', category: 'games' },
  { name: 'default allow', domain: 'plain.example', want: 'allow', reason: 'default' },
  { name: 'every blocked category must be lifted', domain: 'both.example', at: MON_LUNCH, want: 'block', reason: 'group-block', category: 'social' },
  { name: 'a category override lifts that category only', domain: 'both.example', overrides: [override({ target: { category: 'games' }, scope: { group: 'pupils' } })], want: 'block', reason: 'group-block', category: 'social' },
  { name: 'a category override lifts it', domain: 'arcade.example', overrides: [override({ target: { category: 'games' }, scope: { group: 'pupils' } })], want: 'allow', reason: 'override', category: 'games' },
  { name: 'filtering off allows unlocked categories', domain: 'casino.example', overrides: [override({ target: { all: true }, scope: { client: PUPIL.ip } })], want: 'allow', reason: 'filter-off' },
  { name: 'a group override does not reach other groups', domain: 'casino.example', client: STAFF, overrides: [override({ target: { domain: 'casino.example' }, scope: { group: 'pupils' } })], want: 'block', reason: 'group-block' },
  { name: 'a client override does not reach other clients', domain: 'casino.example', client: OTHER_PUPIL, overrides: [override({ target: { domain: 'casino.example' }, scope: { client: PUPIL.ip } })], want: 'block', reason: 'group-block' },
  { name: 'a MAC override reaches its device', domain: 'casino.example', client: { ip: '10.10.1.77', mac: '11:22:33:44:55:66' }, overrides: [override({ target: { domain: 'casino.example' }, scope: { mac: '11:22:33:44:55:66' } })], want: 'allow', reason: 'override' },
  { name: 'a domain override covers subdomains', domain: 'www.casino.example', overrides: [override({ target: { domain: 'casino.example' }, scope: { school: true } })], want: 'allow', reason: 'override' },
  { name: 'the most specific override wins', domain: 'casino.example', overrides: [override({ target: { domain: 'casino.example' }, scope: { school: true }, action: 'block' }), override({ target: { domain: 'casino.example' }, scope: { client: PUPIL.ip } })], want: 'allow', reason: 'override' },
  { name: 'a revoked override is ignored', domain: 'casino.example', overrides: [override({ target: { domain: 'casino.example' }, scope: { school: true }, revokedAt: '2026-11-20T00:00:00Z' })], want: 'block', reason: 'group-block' },
  { name: 'filtering off waits for its approval', domain: 'casino.example', overrides: [override({ target: { all: true }, scope: { client: PUPIL.ip }, approval: { required: true } })], want: 'block', reason: 'group-block' },
  { name: 'approved filtering off is in force', domain: 'casino.example', overrides: [override({ target: { all: true }, scope: { client: PUPIL.ip }, approval: { required: true, approvedBy: 'dsl' } })], want: 'allow', reason: 'filter-off' },
  { name: 'nominated users: MAC group first', domain: 'arcade.example', client: { ip: '10.10.1.50', mac: 'AA:BB:CC:DD:EE:FF' }, want: 'allow', reason: 'default' },
  { name: 'nominated users: still their own blocks', domain: 'casino.example', client: { ip: '10.10.1.50', mac: 'aa:bb:cc:dd:ee:ff' }, want: 'block', reason: 'group-block' },
];

// Winter (GMT = UTC) and summer (BST = UTC+1) edges of the lunch window, to the second.
const edges: Case[] = [
  { name: 'lunch: a second before it opens', domain: 'arcade.example', at: '2026-11-23T12:14:59Z', want: 'block', reason: 'group-block' },
  { name: 'lunch: the second it opens', domain: 'arcade.example', at: '2026-11-23T12:15:00Z', want: 'allow', reason: 'schedule' },
  { name: 'lunch: its last second', domain: 'arcade.example', at: '2026-11-23T13:14:59Z', want: 'allow', reason: 'schedule' },
  { name: 'lunch: the second it closes', domain: 'arcade.example', at: '2026-11-23T13:15:00Z', want: 'block', reason: 'group-block' },
  { name: 'lunch in summer time opens at 11:15Z', domain: 'arcade.example', at: '2026-06-01T11:15:00Z', want: 'allow', reason: 'schedule' },
  { name: 'lunch in summer time: 12:15Z is 13:15 local', domain: 'arcade.example', at: '2026-06-01T12:15:00Z', want: 'block', reason: 'group-block' },
  { name: 'no lunch on Saturday', domain: 'arcade.example', at: '2026-11-28T12:30:00Z', want: 'block', reason: 'group-block' },
  { name: 'overnight: Friday 23:00', domain: 'friends.example', at: '2026-11-27T23:00:00Z', want: 'allow', reason: 'schedule' },
  { name: 'overnight: Saturday 05:59:59 (started Friday)', domain: 'friends.example', at: '2026-11-28T05:59:59Z', want: 'allow', reason: 'schedule' },
  { name: 'overnight: Saturday 06:00 closes', domain: 'friends.example', at: '2026-11-28T06:00:00Z', want: 'block', reason: 'group-block' },
  { name: 'overnight: Sunday 05:00 (started Saturday)', domain: 'friends.example', at: '2026-11-29T05:00:00Z', want: 'allow', reason: 'schedule' },
  { name: 'overnight: Sunday 22:00 is not a start day', domain: 'friends.example', at: '2026-11-29T22:00:00Z', want: 'block', reason: 'group-block' },
  { name: 'overnight: Thursday 23:00 is not a start day', domain: 'friends.example', at: '2026-11-26T23:00:00Z', want: 'block', reason: 'group-block' },
  // Spring forward 2026-03-29: 01:00 GMT jumps to 02:00 BST; 01:30-02:30 local opens at the jump.
  { name: 'spring forward: before the jump', domain: 'spring.example', at: '2026-03-29T00:59:59Z', want: 'block', reason: 'group-block' },
  { name: 'spring forward: the jump lands inside the window', domain: 'spring.example', at: '2026-03-29T01:00:00Z', want: 'allow', reason: 'schedule' },
  { name: 'spring forward: 02:30 BST closes', domain: 'spring.example', at: '2026-03-29T01:30:00Z', want: 'block', reason: 'group-block' },
  // Fall back 2026-10-25: 02:00 BST becomes 01:00 GMT; 01:15-01:45 local happens twice.
  { name: 'fall back: first 01:15 (BST)', domain: 'autumn.example', at: '2026-10-25T00:15:00Z', want: 'allow', reason: 'schedule' },
  { name: 'fall back: between the two', domain: 'autumn.example', at: '2026-10-25T00:50:00Z', want: 'block', reason: 'group-block' },
  { name: 'fall back: second 01:15 (GMT)', domain: 'autumn.example', at: '2026-10-25T01:15:00Z', want: 'allow', reason: 'schedule' },
  { name: 'fall back: second 01:45 closes', domain: 'autumn.example', at: '2026-10-25T01:45:00Z', want: 'block', reason: 'group-block' },
  { name: 'term-time window on a school day', domain: 'arcade.example', at: '2026-12-18T09:30:00Z', want: 'allow', reason: 'schedule' },
  { name: 'term-time window suspended in the holidays', domain: 'arcade.example', at: '2026-12-21T09:30:00Z', want: 'block', reason: 'group-block' },
];

for (const c of [...precedence, ...edges]) {
  t.test(c.name, async (t) => {
    const d = run(c.domain, c.at ?? MON_CLASS, c.client ?? PUPIL, c.overrides);
    t.equal(d.action, c.want, 'action');
    t.equal(d.reason, c.reason, 'reason');
    if (c.category) t.equal(d.category, c.category, 'category');
  });
}

t.test('override expiry to the second', async (t) => {
  const o = override({ target: { domain: 'casino.example' }, scope: { group: 'pupils' }, expiresAt: '2026-11-23T11:00:00.000Z' });
  const before = run('casino.example', '2026-11-23T10:59:59.999Z', PUPIL, [o]);
  t.equal(before.action, 'allow');
  t.equal(before.validUntil, Date.parse('2026-11-23T11:00:00Z'), 'an answer it allows must not outlive it');
  t.equal(run('casino.example', '2026-11-23T11:00:00.000Z', PUPIL, [o]).action, 'block');
});

t.test('a schedule-allowed answer is valid until the window closes', async (t) => {
  t.equal(run('arcade.example', MON_LUNCH, PUPIL).validUntil, Date.parse('2026-11-23T13:15:00Z'));
  t.equal(run('friends.example', '2026-11-27T23:00:00Z', PUPIL).validUntil, Date.parse('2026-11-28T06:00:00Z'));
  t.equal(run('plain.example', MON_LUNCH, PUPIL).validUntil, Infinity);
});
