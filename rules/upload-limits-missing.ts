import { defineRule } from '../src/engine/rule.js';
import { objectProps } from '../src/parsers/script.js';
import { appMemo, appPython, dottedNamesIn, perApp, some } from './_shared/project.js';
import { configItems } from './_shared/python.js';
import { callsIn, isStateChanging, pythonRoutes } from './_shared/routes.js';

/** Evidence that a handler checks what kind of file it got. */
const TYPE_CHECK_CALL = /(^|\.)(allowed_file|allowed|is_allowed|endswith|splitext|guess_type|from_buffer|from_file|what|validate_file|check_file|verify)$/;
const TYPE_CHECK_NAME = /ALLOWED_|\.(mimetype|content_type)|(^|\.)(file_?name|name)\.rsplit$|^(magic|imghdr|filetype|PIL)\b/;

/** Is MAX_CONTENT_LENGTH configured anywhere in the app? */
const MAX_LENGTH = appMemo('upload-limits-missing.maxContentLength', (project, app) => some(appPython(project, app, 'MAX_CONTENT_LENGTH'), ({ py: m }) => configItems(m).some((i) => i.key === 'MAX_CONTENT_LENGTH')));

export default defineRule({
  meta: {
    id: 'upload-limits-missing',
    title: 'File uploads without size, name or type limits',
    category: 'security',
    severity: 'medium',
    confidence: 'medium',
    frameworks: ['flask', 'fastapi', 'express', 'nestjs'],
    fixable: 'none',
    effort: 'hours',
    cwe: ['CWE-400', 'CWE-434', 'CWE-22'],
    triggers: ['request.files', 'UploadFile', 'multer', 'FileInterceptor'],
    messages: {
      flaskUpload: 'Upload route {route} has {problems}.',
      fastapiUpload: 'Upload route {route} reads an UploadFile without checking its size.',
      multer: 'multer is configured without {missing}.',
    },
    docs: {
      why:
        'An upload endpoint without a size limit lets one request fill the disk or memory (Flask and multer accept any size by default). A client-supplied filename used as-is can contain ../ and overwrite files outside the upload folder. Without a type check, HTML, SVG or executable files are stored and later served from your domain.',
      fix:
        'Flask: `app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024`, `secure_filename(file.filename)` (or a generated name), and an allow-list of extensions checked together with the detected content type. FastAPI: check `file.size` (or read in chunks and stop past the limit) and the content type. multer: `multer({ limits: { fileSize: 5 * 1024 * 1024, files: 1 }, fileFilter })`. Store uploads outside the web root or in object storage.',
      references: [
        'https://flask.palletsprojects.com/en/latest/patterns/fileuploads/',
        'https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html',
        'https://github.com/expressjs/multer#limits',
        'https://cwe.mitre.org/data/definitions/434.html',
      ],
      examples: [
        { file: 'app.py', bad: 'f = request.files["file"]\nf.save(os.path.join(UPLOADS, f.filename))', good: 'app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024\nif not allowed_file(f.filename): abort(400)\nf.save(os.path.join(UPLOADS, secure_filename(f.filename)))' },
        { file: 'upload.js', bad: "multer({ dest: 'uploads/' })", good: "multer({ dest: 'uploads/', limits: { fileSize: 5e6 }, fileFilter })" },
      ],
    },
  },
  check: {
    python(ctx) {
      const { py, project } = ctx;
      const app = project.appOf(ctx.path);
      for (const r of pythonRoutes(py, ctx.path)) {
        if (!r.handler || !isStateChanging(r)) continue;
        const names = dottedNamesIn(py, r.handler.bodyRange);
        const calls = callsIn(py, r.handler);
        const label = `${r.methods.filter((m) => m !== 'GET').join('/')} ${r.path ?? r.handler.name}`;
        if (r.framework === 'flask' && [...names].some((n) => /^flask\.request\.files\b/.test(n))) {
          const problems: string[] = [];
          if (!perApp(MAX_LENGTH, project, app)) problems.push('no MAX_CONTENT_LENGTH');
          const saves = calls.some((c) => /\.save$/.test(c.callee));
          if (saves && !calls.some((c) => /(^|\.)secure_filename$/.test(c.qualified) || /uuid/.test(c.qualified))) problems.push('no secure_filename() on the saved name');
          if (!calls.some((c) => TYPE_CHECK_CALL.test(c.callee)) && ![...names].some((n) => TYPE_CHECK_NAME.test(n)) && !calls.some((c) => c.args.some((a) => TYPE_CHECK_NAME.test(a.value.text)))) problems.push('no file type check');
          if (problems.length) ctx.report({ messageId: 'flaskUpload', data: { route: label, problems: problems.join(', ') }, at: r.at });
        }
        if (r.framework === 'fastapi') {
          const signature = py.text.slice(r.handler.range.start, r.handler.bodyRange.start);
          if (!/\bUploadFile\b/.test(signature)) continue;
          const sized = [...names].some((n) => /\.size$|content_length/i.test(n)) || calls.some((c) => /\.read$/.test(c.callee) && c.positional.length > 0) || calls.some((c) => /size|limit/i.test(c.callee)) || calls.some((c) => c.args.some((a) => a.value.kind === 'num' && a.value.value === 413) || c.args.some((a) => /HTTP_413/.test(a.value.text)));
          if (!sized) ctx.report({ messageId: 'fastapiUpload', data: { route: label }, at: r.at });
        }
      }
    },

    script(ctx) {
      const { js } = ctx;
      for (const call of js.calls()) {
        if (call.qualified !== 'multer' && call.qualified !== 'multer.default') continue;
        const opts = objectProps(call.args[0]);
        const missing: string[] = [];
        const limits = objectProps(opts.get('limits')?.value);
        if (!opts.has('limits') || (limits.size > 0 && !limits.has('fileSize'))) missing.push('limits.fileSize');
        if (!opts.has('fileFilter')) missing.push('a fileFilter');
        if (missing.length) ctx.report({ messageId: 'multer', data: { missing: missing.join(' or ') }, at: call.range });
      }
    },
  },
});
