import { replace } from '../src/engine/edits.js';
import { defineRule } from '../src/engine/rule.js';
import type { Fix, TextRange } from '../src/engine/types.js';
import { composeServices, rangeOf } from './_shared/config-files.js';
import { isMap, isScalar, isSeq, scalarString } from '../src/parsers/yaml.js';

/** Image repository (last path segment, tag and digest dropped) -> the datastore it runs and its default ports. */
const DATASTORES: Record<string, { name: string; ports: readonly number[] }> = {
  postgres: { name: 'PostgreSQL', ports: [5432] },
  postgresql: { name: 'PostgreSQL', ports: [5432] },
  'postgresql-repmgr': { name: 'PostgreSQL', ports: [5432] },
  postgis: { name: 'PostgreSQL', ports: [5432] },
  timescaledb: { name: 'PostgreSQL', ports: [5432] },
  'timescaledb-ha': { name: 'PostgreSQL', ports: [5432] },
  pgvector: { name: 'PostgreSQL', ports: [5432] },
  mysql: { name: 'MySQL', ports: [3306, 33060] },
  'mysql-server': { name: 'MySQL', ports: [3306, 33060] },
  mariadb: { name: 'MariaDB', ports: [3306] },
  percona: { name: 'MySQL', ports: [3306] },
  mongo: { name: 'MongoDB', ports: [27017] },
  mongodb: { name: 'MongoDB', ports: [27017] },
  'mongodb-community-server': { name: 'MongoDB', ports: [27017] },
  redis: { name: 'Redis', ports: [6379] },
  'redis-stack': { name: 'Redis', ports: [6379] },
  'redis-stack-server': { name: 'Redis', ports: [6379] },
  valkey: { name: 'Valkey', ports: [6379] },
  keydb: { name: 'KeyDB', ports: [6379] },
  dragonfly: { name: 'Dragonfly', ports: [6379] },
  memcached: { name: 'Memcached', ports: [11211] },
  elasticsearch: { name: 'Elasticsearch', ports: [9200, 9300] },
  opensearch: { name: 'OpenSearch', ports: [9200, 9600] },
  rabbitmq: { name: 'RabbitMQ', ports: [5672, 15672] },
  cassandra: { name: 'Cassandra', ports: [9042] },
  couchdb: { name: 'CouchDB', ports: [5984] },
  neo4j: { name: 'Neo4j', ports: [7474, 7687] },
  influxdb: { name: 'InfluxDB', ports: [8086] },
  'clickhouse-server': { name: 'ClickHouse', ports: [8123, 9000] },
  clickhouse: { name: 'ClickHouse', ports: [8123, 9000] },
  cockroach: { name: 'CockroachDB', ports: [26257] },
  server: { name: 'SQL Server', ports: [1433] }, // mcr.microsoft.com/mssql/server
  'azure-sql-edge': { name: 'SQL Server', ports: [1433] },
};
/** Default ports of the datastores, for services built from a local Dockerfile (no image to go by). */
const DB_PORTS = new Map<number, string>([
  [5432, 'PostgreSQL'], [3306, 'MySQL'], [27017, 'MongoDB'], [6379, 'Redis'], [11211, 'Memcached'], [9200, 'Elasticsearch'], [1433, 'SQL Server'], [9042, 'Cassandra'],
]);
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|\[::1\]|localhost)$/i;

/** The datastore an image runs, or undefined: `postgres:16-alpine`, `bitnami/redis:7.2`, `mcr.microsoft.com/mssql/server:2022-latest`. */
export function datastoreOfImage(image: string): { name: string; ports: readonly number[] } | undefined {
  const noDigest = image.split('@')[0]!.toLowerCase();
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const name = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const repo = name.slice(name.lastIndexOf('/') + 1);
  if (repo === 'server' && !/mssql\/server$/.test(name)) return undefined;
  return Object.prototype.hasOwnProperty.call(DATASTORES, repo) ? DATASTORES[repo] : undefined;
}

interface PublishedPort {
  /** Host interface, '' when none is given (all interfaces). */
  readonly hostIp: string;
  readonly hostPort: string;
  readonly containerPort: number | undefined;
  readonly written: string;
}

/** Compose short syntax: `5432`, `"5432:5432"`, `"0.0.0.0:5432:5432"`, `"127.0.0.1::5432"`, `"[::1]:5432:5432/tcp"`, ranges. */
export function parseShortPort(spec: string): PublishedPort | undefined {
  const s = spec.trim().replace(/\/(tcp|udp|sctp)$/i, '').replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, '$VAR');
  let hostIp = '';
  let rest = s;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(s);
  if (v6) {
    hostIp = `[${v6[1]}]`;
    rest = v6[2]!;
  }
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) hostIp = parts.shift()!;
  if (parts.length > 2) return undefined;
  const container = parts.at(-1)!;
  const hostPort = parts.length === 2 ? parts[0]! : '';
  const first = Number(container.split('-')[0]);
  return { hostIp, hostPort, containerPort: Number.isInteger(first) ? first : undefined, written: spec };
}

export default defineRule({
  meta: {
    id: 'compose-exposes-database',
    title: 'Database port published on all interfaces',
    category: 'configuration',
    severity: 'high',
    confidence: 'high',
    fixable: 'sometimes',
    effort: 'minutes',
    cwe: ['CWE-668', 'CWE-284'],
    triggers: ['ports'],
    messages: {
      published: 'Service "{service}" ({store}) publishes port {port} on every host interface ("{written}").',
      publishedByPort: 'Service "{service}" publishes the {store} port {port} on every host interface ("{written}").',
    },
    docs: {
      why:
        'A `ports:` entry without a host address binds the port on every interface of the host, and Docker writes its own iptables rules that bypass ufw/firewalld: a PostgreSQL, MySQL, MongoDB or Redis container published as "5432:5432" is reachable from the internet on a cloud VM. Internet-wide scanners find such ports within hours; Redis and MongoDB without a password (their default) have been mass-wiped and ransomed this way, and a database with a password still gets brute-forced. The app containers reach the database over the compose network by service name and need no published port at all.',
      fix:
        'Remove the `ports:` entry of the database (use `expose:` or nothing: services on the same compose network connect to `db:5432`), or bind it to the loopback interface for local tools: `"127.0.0.1:5432:5432"` (long syntax: `host_ip: 127.0.0.1`). Development-only exposure belongs in docker-compose.override.yml, which this rule does not judge. The fix binds to 127.0.0.1; it is unsafe because a client on another machine that connected through the published port loses access.',
      whenNotTo: 'A database meant to be reached from other hosts should sit behind a firewall or private network and say so in a `# prodaudit-ignore compose-exposes-database: reason` comment.',
      references: [
        'https://docs.docker.com/reference/compose-file/services/#ports',
        'https://docs.docker.com/engine/network/packet-filtering-firewalls/',
        'https://redis.io/docs/latest/operate/oss_and_stack/management/security/',
        'https://cwe.mitre.org/data/definitions/668.html',
      ],
      examples: [{ file: 'docker-compose.yml', bad: 'services:\n  db:\n    image: postgres:16\n    ports:\n      - "5432:5432"\n', good: 'services:\n  db:\n    image: postgres:16\n    ports:\n      - "127.0.0.1:5432:5432"\n' }],
    },
  },
  check: {
    yaml(ctx) {
      for (const doc of ctx.docs) {
        for (const svc of composeServices(doc)) {
          if (!isMap(svc.node)) continue;
          const image = scalarString(svc.node.get('image', true));
          const store = image ? datastoreOfImage(image) : undefined;
          // An image we know is not a datastore (an app, mongo-express, adminer): only built services are judged by port.
          if (image && !store) continue;
          const ports = svc.node.get('ports', true);
          if (!isSeq(ports)) continue;
          for (const item of ports.items) {
            const found = isMap(item) ? longPort(item, ctx.text) : isScalar(item) ? shortPort(item, ctx.text) : undefined;
            if (!found || (found.port.hostIp && LOOPBACK.test(found.port.hostIp))) continue;
            if (found.port.hostIp.includes('$VAR')) continue; // the interface comes from the environment
            const port = found.port.containerPort;
            if (port === undefined) continue;
            const byPort = !store ? DB_PORTS.get(port) : undefined;
            if (!store && !byPort) continue;
            ctx.report({
              messageId: store ? 'published' : 'publishedByPort',
              data: { service: svc.name, store: store?.name ?? byPort!, port, written: found.port.written },
              at: found.at,
              confidence: store ? 'high' : 'medium',
              ...(found.fix ? { fix: found.fix } : {}),
            });
          }
        }
      }
    },
  },
});

const FIX_TITLE = 'Publish the port on 127.0.0.1 only';

function shortPort(item: { value: unknown; type?: string; range?: [number, number, number] | null }, text: string): { port: PublishedPort; at: TextRange; fix?: Fix } | undefined {
  if (item.value === null || item.value === undefined) return undefined;
  const port = parseShortPort(String(item.value));
  if (!port) return undefined;
  const at = rangeOf(item as never);
  if (String(item.value).includes('$')) return { port, at }; // interpolated: no mechanical rewrite
  const written = text.slice(at.start, at.end);
  const q = written.startsWith("'") ? "'" : '"';
  const host = port.hostPort ? `${port.hostPort}:` : ':';
  const proto = /\/(tcp|udp|sctp)$/i.exec(String(item.value))?.[0] ?? '';
  const container = String(item.value).trim().replace(/\/(tcp|udp|sctp)$/i, '').split(':').at(-1)!;
  const bound = `${q}127.0.0.1:${host}${container}${proto}${q}`;
  return { port, at, fix: { title: FIX_TITLE, applicability: 'unsafe', edits: [replace(at, bound)] } };
}

function longPort(item: { get(k: string, keep: true): unknown }, text: string): { port: PublishedPort; at: TextRange; fix?: Fix } | undefined {
  const target = item.get('target', true);
  const published = item.get('published', true);
  const hostIp = item.get('host_ip', true);
  if (!isScalar(target)) return undefined;
  const containerPort = Number(target.value);
  const ip = scalarString(hostIp) ?? '';
  const at = rangeOf(target as never);
  const port: PublishedPort = { hostIp: ip, hostPort: scalarString(published) ?? '', containerPort: Number.isInteger(containerPort) ? containerPort : undefined, written: `target: ${String(target.value)}` };
  let fix: Fix | undefined;
  if (isScalar(hostIp)) fix = { title: FIX_TITLE, applicability: 'unsafe', edits: [replace(rangeOf(hostIp as never), '127.0.0.1')] };
  else {
    // A new `host_ip:` line after `target:`, at its indentation.
    const lineStart = text.lastIndexOf('\n', at.start - 1) + 1;
    const keyCol = text.slice(lineStart, at.start).search(/target\s*:/);
    const nl = text.indexOf('\n', at.end);
    const lineEnd = nl > 0 && text[nl - 1] === '\r' ? nl - 1 : nl;
    if (keyCol !== -1 && lineEnd !== -1) {
      const indent = text.slice(lineStart, lineStart + keyCol).replace(/-/g, ' ');
      fix = { title: FIX_TITLE, applicability: 'unsafe', edits: [replace({ start: lineEnd, end: lineEnd }, `\n${indent}host_ip: 127.0.0.1`)] };
    }
  }
  return { port, at, ...(fix ? { fix } : {}) };
}
