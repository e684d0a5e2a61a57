import { defineRule } from '../src/engine/rule.js';
import { featureEvidence, missingFeatureCheck } from './_shared/accounts.js';

/** A reset flow: a forgot/reset route or view, Django's auth views, Flask-Security's recoverable, a reset-token helper. */
const RESET = featureEvidence('password-reset-missing', {
  routes: /(^|[/_\s-])(forgot|reset|recover)[-_]?(password|pass|pw)?|password[-_]?(reset|forgot|recover)|forgotPassword|resetPassword/i,
  names: /^(PasswordReset\w*|PasswordResetView|password_reset\w*|reset_password\w*|forgot_password\w*|send_reset\w*|generate_reset\w*|\w*(forgotPassword|resetPassword|passwordReset|ForgotPassword|ResetPassword|PasswordReset)\w*|\w*\.(password_reset\w*|PasswordReset\w*))$/,
  pyModules: ['flask_security.recoverable', 'dj_rest_auth', 'rest_auth', 'djoser', 'fastapi_users'],
  jsModules: [],
  strings: /^django\.contrib\.auth\.urls$|^(dj_rest_auth|djoser)\.urls/,
  settings: /SECURITY_RECOVERABLE/,
  hint: /reset|forgot|recover|djoser|fastapi_users|auth\.urls|rest_auth/i,
});

export default defineRule({
  meta: {
    id: 'password-reset-missing',
    title: 'Password login without a reset flow',
    category: 'accounts',
    severity: 'medium',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs'],
    fixable: 'none',
    effort: 'days',
    cwe: ['CWE-640'],
    triggers: [/login|signin|sign_in|signIn|authenticate/],
    messages: {
      missing: 'App "{app}" has a password login ({route}) but no password-reset flow (looked for forgot/reset routes and views, Django PasswordResetView or django.contrib.auth.urls, Flask-Security recoverable, djoser, fastapi-users).',
    },
    docs: {
      why:
        'Users forget passwords. Without a self-service reset, they are locked out for good or support resets passwords by hand over email or chat, where anyone who can impersonate the user gets the account. A reset built in a hurry later usually has the classic flaws: guessable or non-expiring tokens, tokens that survive a password change, and responses that reveal which emails are registered.',
      fix:
        'Add a "forgot password" endpoint that always answers the same way, mails a single-use, time-limited token (Django: PasswordResetView and default_token_generator; Flask: itsdangerous URLSafeTimedSerializer with max_age, salted with the current password hash; Node: crypto.randomBytes(32), stored hashed with an expiry), and a reset endpoint that checks the token, sets the new password through the password policy, invalidates the token and existing sessions, and notifies the user.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Forgot_Password_Cheat_Sheet.html',
        'https://docs.djangoproject.com/en/stable/topics/auth/default/#django.contrib.auth.views.PasswordResetView',
        'https://itsdangerous.palletsprojects.com/en/stable/timed/',
        'https://cwe.mitre.org/data/definitions/640.html',
      ],
      examples: [{
        file: 'auth.py',
        bad: '@app.post("/login")\ndef login():\n    if not check_password_hash(user.password_hash, request.form["password"]):\n        abort(401)',
        good: '@app.post("/forgot-password")\ndef forgot_password():\n    token = serializer.dumps(user.id, salt="reset")\n    send_reset_email(user, token)',
      }],
    },
  },
  check: { project: missingFeatureCheck('login', RESET) },
});
