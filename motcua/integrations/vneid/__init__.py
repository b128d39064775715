"""VNeID / the national SSO: an OpenID Connect relying party (authorization-code flow with PKCE,
`state` and `nonce`; REGULATIONS §6.6, R-26). `client.OidcClient` speaks the protocol; who the
verified person is in MotCua (officer, citizen, business) is decided by `motcua.org.identity`."""
