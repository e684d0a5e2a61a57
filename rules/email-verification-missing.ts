import { defineRule } from '../src/engine/rule.js';
import { featureEvidence, missingFeatureCheck } from './_shared/accounts.js';

/** Verification: a verify/confirm/activate route or helper, a verified/confirmed field, allauth or Flask-Security confirmable. */
const VERIFY = featureEvidence('email-verification-missing', {
  // A second factor's verify/activate/confirm routes (/2fa/verify, /mfa/confirm) are not email verification.
  routes: /^(?!.*(2fa|mfa|totp|otp|two[-_]?factor|second[-_]?factor))(?:.*(verify|confirm)[-_/]?(e?mail|account|registration|signup)|.*(e?mail|account)[-_/]?(verif|confirm)|.*activat|(.*\/)?confirm(\/|$))/i,
  names: /^(\w*\.)?(email_verified|is_verified|verified_at|email_confirmed|confirmed_at|confirmed|is_email_verified|emailVerified|isVerified|isEmailVerified|verifiedAt|emailConfirmed|send_verification\w*|send_confirmation\w*|verify_email\w*|confirm_email\w*|activate_account\w*|sendVerification\w*|sendConfirmation\w*|verifyEmail\w*|confirmEmail\w*|EmailVerification\w*|EmailConfirmation\w*|account_activation_token)$/,
  pyModules: ['flask_security.confirmable'],
  jsModules: [],
  settings: /ACCOUNT_EMAIL_VERIFICATION|SECURITY_CONFIRMABLE/,
  hint: /verif|confirm|activat|ACCOUNT_EMAIL_VERIFICATION|SECURITY_CONFIRMABLE/i,
});

export default defineRule({
  meta: {
    id: 'email-verification-missing',
    title: 'Registration without email verification',
    category: 'accounts',
    severity: 'low',
    confidence: 'medium',
    frameworks: ['flask', 'django', 'fastapi', 'express', 'nestjs'],
    fixable: 'none',
    effort: 'days',
    cwe: ['CWE-287'],
    triggers: [/register|signup|sign_up|signUp|create_account|createAccount/],
    messages: {
      missing: 'App "{app}" lets anyone register ({route}) but never verifies the email address (looked for verify/confirm/activate routes and helpers, email_verified/confirmed fields, allauth ACCOUNT_EMAIL_VERIFICATION, Flask-Security confirmable).',
    },
    docs: {
      why:
        'Without verification anyone can sign up with someone else\'s address: password-reset mail, invoices and notifications then go to a stranger, the real owner cannot register, and bots fill the user table with throwaway accounts. A password reset that trusts an unverified email hands the account to whoever registered it first.',
      fix:
        'Create new accounts unverified (`email_verified = False` or `is_active = False`), mail a signed, expiring link (Django: django-allauth with ACCOUNT_EMAIL_VERIFICATION = "mandatory", or PasswordResetTokenGenerator; Flask: Flask-Security SECURITY_CONFIRMABLE or itsdangerous URLSafeTimedSerializer; Node: a random token stored hashed with an expiry), mark the account verified on the confirm route, and refuse sensitive actions until then.',
      references: [
        'https://cheatsheetseries.owasp.org/cheatsheets/Authentication_Cheat_Sheet.html',
        'https://docs.allauth.org/en/latest/account/configuration.html',
        'https://flask-security.readthedocs.io/en/stable/configuration.html#confirmable',
        'https://cwe.mitre.org/data/definitions/287.html',
      ],
      examples: [{
        file: 'auth.py',
        bad: '@app.post("/register")\ndef register():\n    db.session.add(User(email=email, password_hash=generate_password_hash(pw)))',
        good: '@app.get("/verify-email/<token>")\ndef verify_email(token):\n    user.email_verified = True',
      }],
    },
  },
  check: { project: missingFeatureCheck('register', VERIFY) },
});
