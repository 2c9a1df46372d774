// An OAuth 2.0 token endpoint (RFC 6749 §6, refresh_token grant), for upstream keys whose
// credential is a refresh token. The refresh token chooses the behaviour:
//   fake-refresh-ok          → access token "fake-ok", expires_in 3600
//   fake-refresh-ok-expN     → the same with expires_in N seconds
//   fake-refresh-rotate      → access token "fake-ok" and a rotated refresh token "fake-refresh-ok"
//   fake-refresh-refused-html → 401 with an HTML page (a proxy or IdP error page, not JSON)
//   anything else            → 400 invalid_grant
export function tokenResponse(form: URLSearchParams): {
  status: number;
  body: Record<string, unknown> | string;
} {
  if (form.get('grant_type') !== 'refresh_token') {
    return {
      status: 400,
      body: { error: 'unsupported_grant_type', error_description: 'only refresh_token is supported' },
    };
  }
  if (!form.get('client_id'))
    return { status: 401, body: { error: 'invalid_client', error_description: 'client_id is required' } };
  const token = form.get('refresh_token') ?? '';
  const exp = /^fake-refresh-ok-exp(\d+)$/.exec(token);
  if (token === 'fake-refresh-ok' || exp) {
    return {
      status: 200,
      body: { access_token: 'fake-ok', token_type: 'Bearer', expires_in: exp ? Number(exp[1]) : 3600 },
    };
  }
  if (token === 'fake-refresh-refused-html')
    return { status: 401, body: '<html><body><h1>401 Unauthorized</h1></body></html>' };
  if (token === 'fake-refresh-rotate') {
    return {
      status: 200,
      body: {
        access_token: 'fake-ok',
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: 'fake-refresh-ok',
      },
    };
  }
  return {
    status: 400,
    body: { error: 'invalid_grant', error_description: 'The refresh token is invalid or revoked.' },
  };
}
