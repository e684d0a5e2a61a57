import { defineRule } from '../src/engine/rule.js';
import { BACKEND_FRAMEWORKS } from '../src/engine/types.js';
import type { PyCall, PyModule } from '../src/parsers/python.js';
import { literalValue, objectProps, ts } from '../src/parsers/script.js';
import { configItems } from './_shared/python.js';
import { jsHasEscape } from './_shared/triggers.js';

/**
 * Python: `.save()` on an upload needs `request.files` written in the source (isUploadedFile reads
 * the receiver's source text); the FastAPI report needs `UploadFile` in the function; the Django one
 * a FileField/ImageField call (its name is in the call or its import).
 */
const pyTrigger = (text: string) => (text.includes('request.files') && /\bsave\b/.test(text)) || /\bUploadFile\b|FileField|ImageField/.test(text);
/**
 * Script: multer and formidable are named by their import (module names are strings: JS_ESCAPE);
 * express-fileupload's report needs its import and a `req.files...mv()` callee.
 */
const JS_TRIGGER = /multer|formidable|express-fileupload/;

const CLOUD_STORAGE = /storages\.backends\.(s3|gcloud|azure|dropbox|sftp)|S3Boto3Storage|GoogleCloudStorage|AzureStorage|cloudinary/;

export default defineRule({
  meta: {
    id: 'local-file-storage',
    title: 'Uploads stored on the local disk',
    category: 'data',
    severity: 'medium',
    confidence: 'medium',
    frameworks: BACKEND_FRAMEWORKS,
    fixable: 'none',
    effort: 'days',
    cwe: ['CWE-1188'],
    triggers: [(text, _o, kind) => (kind === 'python' ? pyTrigger(text) : JS_TRIGGER.test(text) || jsHasEscape(text))],
    messages: {
      flaskSave: 'An uploaded file is saved to the local filesystem with {callee}().',
      fastapiWrite: 'An UploadFile is written to the local filesystem in {fn}().',
      djangoField: '{field} stores files with Django\'s default FileSystemStorage: no cloud storage backend is configured.',
      multerDisk: 'multer writes uploads to the local disk ({how}).',
      fileUploadMv: 'express-fileupload moves the upload to a local path with {callee}().',
      formidable: 'formidable writes uploads to a local uploadDir.',
    },
    docs: {
      why:
        'Files written to the container or VM disk are lost when the instance is replaced or scaled down, are invisible to other instances behind the load balancer, and are usually not in any backup. Local upload folders also fill the root disk and are served from the app process.',
      fix: 'Store uploads in object storage (S3, GCS, Azure Blob) through boto3 / django-storages / multer-s3, keep only the object key in the database, and serve files through signed URLs.',
      whenNotTo: 'A single-instance deployment with a mounted, backed-up persistent volume can keep local files: record that in .prodaudit.yml by turning the rule off.',
      references: ['https://12factor.net/processes', 'https://django-storages.readthedocs.io/', 'https://github.com/anacronw/multer-s3'],
      examples: [{ file: 'app.py', bad: "request.files['file'].save(os.path.join(UPLOAD_FOLDER, name))", good: "s3.upload_fileobj(request.files['file'], bucket, key)" }],
    },
  },
  check: {
    python(ctx) {
      const { py } = ctx;
      for (const call of py.calls) {
        if (!call.callee.endsWith('.save') && !(call.callee === '' && call.func.kind === 'attr' && call.func.attr === 'save')) continue;
        if (!isUploadedFile(call, py)) continue;
        ctx.report({ messageId: 'flaskSave', data: { callee: call.callee || 'save' }, at: call.range });
      }
      // FastAPI: def upload(file: UploadFile): ... open(path, 'wb') / shutil.copyfileobj(file.file, ...)
      for (const fn of py.functions) {
        const src = py.text.slice(fn.range.start, fn.range.end);
        if (!/\bUploadFile\b/.test(src)) continue;
        const writes = py.calls.find(
          (c) =>
            c.scope.functions.at(-1) === fn.name &&
            c.range.start >= fn.range.start &&
            c.range.end <= fn.range.end &&
            ((/^(open|aiofiles\.open)$/.test(c.qualified) && (c.positional[1] ?? c.keyword('mode'))?.kind === 'str' && /w|a/.test(((c.positional[1] ?? c.keyword('mode')) as { value: string }).value)) ||
              c.qualified === 'shutil.copyfileobj'),
        );
        if (writes) ctx.report({ messageId: 'fastapiWrite', data: { fn: fn.name }, at: writes.range });
      }
      // Django models with FileField/ImageField and no cloud storage anywhere in settings
      if (py.importsModule('django.db') && /(^|\/)models(\.py|\/)/.test(ctx.path)) {
        const fields = py.calls.filter((c) => /(^|\.)(FileField|ImageField)$/.test(c.qualified) && /^django\.db\.models\./.test(c.qualified) && !c.keyword('storage'));
        if (fields.length && !projectHasCloudStorage(ctx.project.files, (p) => ctx.project.python(p))) {
          for (const f of fields) ctx.report({ messageId: 'djangoField', data: { field: f.callee }, at: f.range });
        }
      }
    },
    script(ctx) {
      const { js } = ctx;
      for (const call of js.calls()) {
        const q = call.qualified;
        if (q === 'multer.diskStorage') {
          ctx.report({ messageId: 'multerDisk', data: { how: 'multer.diskStorage' }, at: call.range });
        } else if (q === 'multer' && !call.isNew) {
          const props = objectProps(call.args[0]);
          const dest = props.get('dest');
          if (dest) ctx.report({ messageId: 'multerDisk', data: { how: `dest: ${dest.value.getText(js.sf)}` }, at: js.range(dest.node) });
        } else if (/(^|\.)mv$/.test(call.callee) && js.importsModule('express-fileupload') && /req\.files\b/.test(call.callee)) {
          ctx.report({ messageId: 'fileUploadMv', data: { callee: call.callee }, at: call.range });
        } else if ((q === 'formidable' || q === 'formidable.IncomingForm' || q === 'formidable.formidable') && objectProps(call.args[0]).has('uploadDir')) {
          const up = objectProps(call.args[0]).get('uploadDir')!;
          if (typeof literalValue(up.value) === 'string' || ts.isCallExpression(up.value)) ctx.report({ messageId: 'formidable', at: js.range(up.node) });
        }
      }
    },
  },
});

/** Is the receiver of `.save()` an uploaded file: `request.files['f'].save(...)` or a local bound to `request.files...`? */
function isUploadedFile(call: PyCall, py: PyModule): boolean {
  if (call.func.kind !== 'attr') return false;
  const recv = call.func.object;
  const fromRequestFiles = (text: string) => /^(flask\.)?request\.files\b/.test(text);
  if (recv.kind === 'subscript' || recv.kind === 'call') return fromRequestFiles(recv.text);
  if (recv.kind !== 'name') return false;
  const fn = call.scope.functions.at(-1);
  return py.assignments.some((a) => a.target === recv.id && a.scope.functions.at(-1) === fn && fromRequestFiles(a.value.text))
    || py.loops.some((l) => l.scope.functions.at(-1) === fn && l.iter !== undefined && fromRequestFiles(l.iter.text) && l.range.start <= call.range.start && call.range.end <= l.range.end);
}

/** Django settings anywhere in the project configure a cloud storage backend (DEFAULT_FILE_STORAGE or STORAGES). */
function projectHasCloudStorage(files: readonly string[], parse: (p: string) => PyModule | undefined): boolean {
  for (const f of files) {
    if (!/settings/.test(f) || !f.endsWith('.py')) continue;
    const py = parse(f);
    if (!py) continue;
    for (const item of configItems(py)) {
      if ((item.key === 'DEFAULT_FILE_STORAGE' || item.key === 'STORAGES') && CLOUD_STORAGE.test(item.value.text)) return true;
    }
  }
  return false;
}
