import { defineRule } from '../src/engine/rule.js';
import { featureEvidence, missingFeatureCheck } from './_shared/accounts.js';

/** Second factor: TOTP/WebAuthn libraries, otp/2fa/mfa routes, totp/mfa/otp names. */
const TWO_FACTOR = featureEvidence('two-factor-missing', {
  routes: /(^|[/_\s-])(otp|totp|2fa|mfa|two[-_]?factor|webauthn)|verifyOtp|verifyTotp|twoFactor/i,
  names: /^(\w*\.)?(\w*(totp|TOTP|Totp|mfa|Mfa|MFA|otp_secret|otpSecret|two_factor|twoFactor|TwoFactor|webauthn|WebAuthn)\w*|otp|verify_otp|verifyOtp)$/,
  pyModules: ['pyotp', 'django_otp', 'two_factor', 'flask_security.twofactor', 'webauthn', 'fido2', 'allauth.mfa'],
  jsModules: ['otplib', 'speakeasy', '@simplewebauthn/server', 'otpauth', 'node-2fa', '@otplib/core'],
  settings: /SECURITY_TWO_FACTOR/,
  hint: /otp|totp|2fa|mfa|two_factor|twoFactor|TwoFactor|webauthn|fido2|speakeasy|SECURITY_TWO_FACTOR/i,
});

export default defineRule({
  meta: {
    id: 'two-factor-missing',
    title: 'Password login without two-factor authentication',
    category: 'accounts',
    severity: 'low',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs'],
    fixable: 'none',
    effort: 'days',
    cwe: ['CWE-308'],
    triggers: [/login|signin|sign_in|signIn|authenticate/],
    messages: {
      missing: 'App "{app}" logs users in with a password only ({route}); no second factor was found (looked for pyotp, django-otp, django-two-factor-auth, Flask-Security two-factor, otplib, speakeasy, WebAuthn libraries, otp/totp/mfa routes and names).',
    },
    docs: {
      why:
        'A password alone falls to phishing, reuse from another site\'s breach and credential stuffing, which lockout and rate limits only slow down. A second factor (TOTP app, WebAuthn key) means a stolen password is not enough; for admin and finance accounts it is what auditors and customers expect.',
      fix:
        'Offer TOTP enrolment (pyotp / django-otp / django-two-factor-auth / Flask-Security SECURITY_TWO_FACTOR; otplib or speakeasy in Node) or WebAuthn (py_webauthn, @simplewebauthn/server): store the secret encrypted, require the code after the password step before issuing the session, give one-time recovery codes, and enforce it for privileged roles.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Multifactor_Authentication_Cheat_Sheet.html',
        'https://django-otp-official.readthedocs.io/',
        'https://pyauth.github.io/pyotp/',
        'https://github.com/yeojz/otplib',
        'https://cwe.mitre.org/data/definitions/308.html',
      ],
      examples: [{
        file: 'auth.py',
        bad: '@app.post("/login")\ndef login():\n    if check_password_hash(user.password_hash, pw):\n        login_user(user)',
        good: '@app.post("/login")\ndef login():\n    if check_password_hash(user.password_hash, pw) and pyotp.TOTP(user.totp_secret).verify(code):\n        login_user(user)',
      }],
    },
  },
  check: { project: missingFeatureCheck('login', TWO_FACTOR) },
});
