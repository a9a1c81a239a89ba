// (It lives in tools/ so Node finds oidc-provider in tools/node_modules.)
// A real OpenID provider for keydesk's single sign-on tests: oidc-provider
// (an OpenID Certified implementation; 8.x runs on Debian's Node 18) with the accounts, clients and
// claims a test chooses, plus test-only switches to make its token endpoint
// misbehave the ways an attacker or a broken provider would.
//
//   node tools/test-oidc-provider.mjs '<config JSON>'
//
// config: {port, clients: [{client_id, client_secret, redirect_uris}]}
// Prints "ready <issuer>" when it listens. Test-only endpoints:
//   POST /_test/account  {sub, email, email_verified?, groups?, ...claims}
//   POST /_test/tamper   {mode: null | "wrong_audience" | "expired" | "nonce" | "foreign_key"}
// The login screen (GET /interaction/:uid) is a form with one field,
// `login` (the account's sub); POST /interaction/:uid signs that account in.

import Provider from 'oidc-provider';
import * as jose from 'jose';
import http from 'node:http';

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = new Map();
let tamper = null;

const { privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await jose.exportJWK(privateKey)), kid: 'provider-key', alg: 'RS256', use: 'sig' };
const foreign = await jose.generateKeyPair('RS256', { extractable: true });

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({ ...c, grant_types: ['authorization_code'], response_types: ['code'] })),
  jwks: { keys: [signingJwk] },
  scopes: ['openid', 'email', 'profile'],
  // Groups come with the profile, as providers with a groups mapper send them.
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false, // every granted claim in the ID token, as IdPs do for groups
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  async findAccount(ctx, sub) {
    const account = accounts.get(sub);
    if (!account) return undefined;
    return { accountId: sub, async claims() { return { ...account, sub } } };
  },
  async loadExistingGrant(ctx) {
    // No consent screen: the test's accounts consent to everything asked.
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope('openid email profile');
    grant.addOIDCClaims(['email', 'email_verified', 'name', 'groups']);
    await grant.save();
    return grant;
  },
  cookies: { keys: ['keydesk-tests-only'] },
  ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Session: 3600, Interaction: 600, Grant: 3600 },
});
provider.proxy = false;

// The token endpoint's answer, rewritten when a test asks.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.path !== '/token' || !tamper || ctx.status !== 200) return;
  const body = typeof ctx.body === 'string' ? JSON.parse(ctx.body) : { ...ctx.body };
  const claims = jose.decodeJwt(body.id_token);
  const now = Math.floor(Date.now() / 1000);
  let key = privateKey, kid = 'provider-key';
  if (tamper === 'wrong_audience') claims.aud = 'someone-else';
  if (tamper === 'expired') { claims.iat = now - 7200; claims.exp = now - 3600; }
  if (tamper === 'nonce') claims.nonce = 'not-the-nonce-sent';
  if (tamper === 'foreign_key') { key = foreign.privateKey; kid = 'not-in-the-jwks'; }
  body.id_token = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
  ctx.body = body;
});

const json = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (c) => { data += c; });
  req.on('end', () => resolve(data ? JSON.parse(data) : {}));
});
const form = (req) => new Promise((resolve) => {
  let data = '';
  req.on('data', (c) => { data += c; });
  req.on('end', () => resolve(Object.fromEntries(new URLSearchParams(data))));
});

const callback = provider.callback();
http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    if (req.method === 'POST' && url.pathname === '/_test/account') {
      const account = await json(req);
      accounts.set(account.sub, account);
      res.writeHead(204).end();
      return;
    }
    if (req.method === 'POST' && url.pathname === '/_test/tamper') {
      tamper = (await json(req)).mode || null;
      res.writeHead(204).end();
      return;
    }
    const interaction = url.pathname.match(/^\/interaction\/([^/]+)$/);
    if (interaction && req.method === 'GET') {
      await provider.interactionDetails(req, res);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><title>Test provider: sign in</title>
<main><h1>Test provider</h1><form method="post" action="${url.pathname}">
<label for="login">Account</label><input id="login" name="login" autofocus>
<button type="submit">Sign in at the provider</button></form></main></html>`);
      return;
    }
    if (interaction && req.method === 'POST') {
      const { login } = await form(req);
      const result = accounts.has(login)
        ? { login: { accountId: login } }
        : { error: 'access_denied', error_description: 'no such account' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
      return;
    }
    callback(req, res);
  } catch (e) {
    res.writeHead(500).end(String(e));
  }
}).listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
