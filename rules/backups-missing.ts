import { isMap, isScalar, isSeq } from 'yaml';
import { defineRule } from '../src/engine/rule.js';
import { parseYaml } from '../src/parsers/yaml.js';
import { composeServices } from './_shared/config-files.js';
import { fileMemo, perFile } from './_shared/project.js';

const DB_IMAGE = /^(?:[\w.-]+\/)*(postgres|postgis|timescaledb|mysql|mariadb|mongo|mongodb|percona)(?::|@|$)/i;
const BACKUP_TOOL = /\b(pg_dump|pg_dumpall|pg_basebackup|mysqldump|mariadb-dump|mongodump|wal-g|wal-e|pgbackrest|barman|restic|borg|litestream|velero)\b/;
const BACKUP_FILE = /(^|\/)[^/]*backup[^/]*$/i;
const SCRIPT_FILE = /(\.(sh|bash|ya?ml|py|js|ts|mjs|cjs|json)|(^|\/)(Makefile|Procfile|crontab|Dockerfile[^/]*))$/i;
/**
 * Does this script, workflow or crontab name a backup tool? One file's part, kept in the cache with
 * its hash: with the text read here, an edit to any script re-ran the check over every file of
 * the repository (950 ms of a one-file run on the monorepo).
 */
const BACKUP_TOOL_IN = fileMemo('backups-missing.toolIn', (project, path) => (BACKUP_TOOL.test(project.readText(path) ?? '') ? true : undefined));

export default defineRule({
  meta: {
    id: 'backups-missing',
    title: 'Self-hosted database without backups',
    category: 'data',
    severity: 'high',
    confidence: 'low',
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-1188'],
    messages: {
      noBackup:
        'Database service "{service}" ({image}) keeps its data in a volume, and nothing in the repository backs it up (looked for: a backup service in compose, {tools} in scripts, CI workflows and crontabs, files named *backup*).',
    },
    docs: {
      why:
        'A database in a container volume lives on one disk. A deleted volume, a bad migration, ransomware or a full disk loses every record, and without a tested backup there is no way back. Managed databases take backups for you; a self-hosted one in docker-compose does not.',
      fix:
        'Add scheduled, off-host backups and test a restore: a backup sidecar (e.g. a postgres-backup-local service), a cron job running pg_dump/mysqldump/mongodump to object storage, or WAL archiving with wal-g/pgBackRest. Or move to a managed database with point-in-time recovery.',
      whenNotTo: 'If backups are done outside this repository (infrastructure repo, hosting provider snapshots), turn the rule off in .prodaudit.yml and say where they are.',
      references: ['https://www.postgresql.org/docs/current/backup.html', 'https://dev.mysql.com/doc/refman/8.0/en/backup-methods.html'],
    },
  },
  check: {
    project(ctx) {
      const { project } = ctx;
      const composeFiles = project.files.filter((f) => /(^|\/)(docker-)?compose[^/]*\.ya?ml$/.test(f) && project.contextOf(f) === 'production');
      if (composeFiles.length === 0) return;
      const dbServices: { file: string; service: string; image: string; at: { start: number; end: number } }[] = [];
      let backupService = false;
      for (const file of composeFiles) {
        const text = project.readText(file);
        if (!text) continue;
        for (const doc of parseYaml(text).docs) {
          for (const svc of composeServices(doc)) {
            if (!isMap(svc.node)) continue;
            const image = svc.node.get('image');
            const imageText = typeof image === 'string' ? image : '';
            if (/backup/i.test(svc.name) || /backup/i.test(imageText)) backupService = true;
            if (!DB_IMAGE.test(imageText)) continue;
            const volumes = svc.node.get('volumes', true);
            const hasVolume = isSeq(volumes) && volumes.items.some((v) => (isScalar(v) && /:/.test(String(v.value))) || isMap(v));
            if (hasVolume) dbServices.push({ file, service: svc.name, image: imageText, at: svc.keyRange });
          }
        }
      }
      if (dbServices.length === 0 || backupService) return;
      const evidence = project.files.some((f) => BACKUP_FILE.test(f)) || project.files.some((f) => SCRIPT_FILE.test(f) && perFile(BACKUP_TOOL_IN, project, f) === true);
      if (evidence) return;
      for (const db of dbServices) {
        ctx.report({ messageId: 'noBackup', data: { service: db.service, image: db.image, tools: 'pg_dump, mysqldump, mongodump, wal-g, pgBackRest' }, file: db.file, at: db.at });
      }
    },
  },
});
