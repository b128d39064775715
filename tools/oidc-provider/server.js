// A VNeID-shaped OpenID Connect provider on loopback, for MotCua's tests and `make run`.
//
// The certified `oidc-provider` package does the protocol (discovery, authorization-code flow with
// PKCE, client_secret_basic / client_secret_post at the token endpoint, signed ID tokens, JWKS,
// userinfo); this file only adds the synthetic accounts of accounts.json, each issuing the claims
// VNeID / the national SSO send (REGULATIONS.md §6.6), and a login page on which a person — or a
// test posting the form — picks the account. Nothing is stored: restarting forgets every session.
//
//   node tools/oidc-provider/server.js --port 8766 --client-id motcua-demo \
//     --client-secret motcua-demo-secret --redirect-uri http://127.0.0.1:8000/dang-nhap/vneid/ket-qua/
//
// --redirect-uri may be repeated; --token-auth-method is client_secret_basic (default) or
// client_secret_post; --host defaults to 127.0.0.1; --issuer defaults to
// http://<host>:<port>. GET /_sim/health answers 200 once the provider is ready.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    host: { type: 'string', default: '127.0.0.1' },
    port: { type: 'string', default: '8766' },
    issuer: { type: 'string' },
    'client-id': { type: 'string', default: 'motcua-demo' },
    'client-secret': { type: 'string', default: 'motcua-demo-secret' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'token-auth-method': { type: 'string', default: 'client_secret_basic' },
    accounts: { type: 'string', default: new URL('./accounts.json', import.meta.url).pathname },
  },
});
if (args['redirect-uri'].length === 0) {
  console.error('--redirect-uri is required (the relying party\'s callback URL)');
  process.exit(2);
}

const issuer = args.issuer || `http://${args.host}:${args.port}`;

// VNeID's claims, then those the national portal's SSO adds (REGULATIONS.md §6.6). VNeID is asked
// with scope=openid only, so every claim is released under it.
const CLAIMS = [
  'sub', 'LoaiTaiKhoan', 'SoDinhDanh', 'HoVaTen', 'NgayThangNamSinh', 'TechID', 'loAs', 'IAL',
  'userProfileUri', 'logoutUri',
  'MaSoThue', 'SoCMND', 'MaBHXH', 'ThuDienTu', 'SoDienThoai', 'MaSoDoanhNghiep', 'TenDoanhNghiep',
];

const accounts = JSON.parse(readFileSync(args.accounts, 'utf8')).accounts;
const bySub = new Map(accounts.map((a) => [a.claims.TechID, a]));

function findByChoice(choice) {
  return accounts.find((a) => a.claims.TechID === choice || a.claims.SoDinhDanh === choice);
}

// A fresh signing key per run: the relying party must read it from the JWKS, as with the real one.
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = {
  ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig',
};

const configuration = {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: args['redirect-uri'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // client_secret_basic or client_secret_post, as registered with the national SSO.
      token_endpoint_auth_method: args['token-auth-method'],
    },
  ],
  clientAuthMethods: ['client_secret_basic', 'client_secret_post'],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  claims: { openid: CLAIMS },
  // The ID token carries the claims too (VNeID's does), not only the userinfo answer.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  // The relying party is the province's own system: no consent page (a first-party client).
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid');
    grant.addOIDCClaims(CLAIMS);
    await grant.save();
    return grant;
  },
  async findAccount(ctx, id) {
    const account = bySub.get(id);
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...account.claims };
      },
    };
  },
  ttl: { AuthorizationCode: 120, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
};

const provider = new Provider(issuer, configuration);
const handle = provider.callback();

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res, status, title, body) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Security-Policy': "default-src 'none'; form-action 'self' http: https:; style-src 'none'",
  });
  res.end(`<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>${escape(title)}</title></head>`
    + `<body><h1>${escape(title)}</h1>${body}</body></html>`);
}

function loginForm(uid, clientId) {
  const options = accounts.map((a, i) => `<p><label><input type="radio" name="account" value="${escape(a.claims.SoDinhDanh)}"`
    + `${i === 0 ? ' checked' : ''}> ${escape(a.label)} — số định danh ${escape(a.claims.SoDinhDanh)}</label></p>`).join('');
  return `<p>Ứng dụng <strong>${escape(clientId)}</strong> yêu cầu đăng nhập bằng tài khoản định danh điện tử.</p>`
    + `<p>Đây là máy chủ giả lập trên máy (chỉ dùng để thử nghiệm): chọn tài khoản để đăng nhập.</p>`
    + `<form method="post" action="/interaction/${escape(uid)}/login">${options}`
    + `<p><button type="submit" name="action" value="login">Đăng nhập</button> `
    + `<button type="submit" name="action" value="abort">Từ chối</button></p></form>`;
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) {
    page(res, 400, 'Phiên đăng nhập không hợp lệ', '<p>Hãy bắt đầu đăng nhập lại.</p>');
    return;
  }
  if (req.method === 'GET' && !action) {
    page(res, 200, 'Đăng nhập bằng tài khoản định danh điện tử (giả lập VNeID)', loginForm(uid, details.params.client_id));
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    if (form.get('action') === 'abort') {
      await provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'Người dùng từ chối đăng nhập.',
      }, { mergeWithLastSubmission: false });
      return;
    }
    const account = findByChoice(form.get('account') || '');
    if (!account) {
      page(res, 400, 'Không có tài khoản này', loginForm(uid, details.params.client_id));
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId: account.claims.TechID },
    }, { mergeWithLastSubmission: false });
    return;
  }
  page(res, 405, 'Phương thức không được hỗ trợ', '');
}

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login))?\/?$/);
  try {
    if (url.pathname === '/_sim/health') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ ok: true, issuer }));
    } else if (match) {
      await interaction(req, res, match[1], match[2]);
    } else {
      handle(req, res);
    }
  } catch (err) {
    if (!res.headersSent) page(res, 400, 'Yêu cầu không hợp lệ', `<p>${escape(err.message)}</p>`);
    else res.end();
  }
});

server.listen(Number(args.port), args.host, () => {
  console.log(`VNeID-shaped OIDC provider (simulator) at ${issuer}`);
});

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
