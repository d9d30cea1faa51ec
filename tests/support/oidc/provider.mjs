// A real OpenID provider for lovflow's tests: the npm package oidc-provider (a certified
// implementation), configured from a JSON file that tests/support/oidc.py writes:
//   { "port": 1234, "jwks": { "keys": [<private RSA JWK>] }, "clients": [{ "client_id", "client_secret", "redirect_uris" }],
//     "users": { "<login>": { "password": "…", "claims": { "name", "groups", … } } } }
// Its login form checks the password (the package's development form takes any login); consent
// is given at once, as a municipality's identity provider does for its own applications.
// It prints one line "oidc-provider ready <issuer>" when it listens on 127.0.0.1.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;
const users = config.users;
const SCOPES = 'openid profile email groups';

const provider = new Provider(issuer, {
  // The signing key the test made (so it can sign a token as this provider would).
  ...(config.jwks ? { jwks: config.jwks } : {}),
  clients: config.clients.map((client) => ({
    ...client,
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  // The user's claims in the ID token itself (as Entra ID and Keycloak put groups there).
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['lovflow-test-provider-cookie-key'] },
  async findAccount(ctx, sub) {
    const user = users[sub];
    if (!user) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...user.claims }) };
  },
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPES);
    await grant.save();
    return grant;
  },
});

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(uid, error) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
<body><main><h1>Test identity provider</h1>
${error ? `<p id="error">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<label for="login">Username</label> <input id="login" name="login" autocomplete="username">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password">
<button type="submit" id="sign-in">Sign in</button>
</form></main></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([\w-]+)$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  ctx.set('cache-control', 'no-store');
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = loginPage(details.uid, '');
    return undefined;
  }
  const form = await readForm(ctx.req);
  const login = form.get('login') || '';
  const user = users[login];
  if (!user || user.password !== form.get('password')) {
    ctx.status = 401;
    ctx.type = 'html';
    ctx.body = loginPage(details.uid, 'Wrong username or password.');
    return undefined;
  }
  const to = await provider.interactionResult(ctx.req, ctx.res, {
    login: { accountId: login },
  }, { mergeWithLastSubmission: false });
  ctx.status = 303;
  ctx.redirect(to);
  return undefined;
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  console.log(`oidc-provider ready ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
