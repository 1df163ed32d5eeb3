// Identity tokens for private health checks: user ADC's comes from its refresh (through the real
// google-auth-library UserRefreshClient talking to a local token endpoint), a service account's is minted.
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserRefreshClient } from 'google-auth-library';
import { identityToken } from '../../src/gcp/idToken';

describe('identity tokens for private health checks', () => {
  let server: http.Server;
  let tokenUrl: string;
  const grants: string[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        grants.push(new URLSearchParams(body).get('grant_type') ?? '');
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'ya29.local', id_token: 'eyJ.user-identity.token', expires_in: 3600, token_type: 'Bearer' }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  });

  after(() => new Promise<void>((r) => server.close(() => r())));

  it('user credentials (gcloud auth application-default login) give the id_token of their refresh', async () => {
    const client = new UserRefreshClient({ clientId: 'id', clientSecret: 'secret', refreshToken: 'refresh', endpoints: { oauth2TokenUrl: tokenUrl } });
    const token = await identityToken(client, true, 'https://api-abc-uc.a.run.app', async () => assert.fail('users cannot mint for an audience'));
    assert.equal(token, 'eyJ.user-identity.token');
    assert.deepEqual(grants, ['refresh_token']);
  });

  it('other credentials mint a token for the service URL', async () => {
    const client = new UserRefreshClient({ clientId: 'id', clientSecret: 'secret', refreshToken: 'refresh', endpoints: { oauth2TokenUrl: tokenUrl } });
    let asked = '';
    const token = await identityToken(client, false, 'https://api-abc-uc.a.run.app', async (audience) => { asked = audience; return 'minted'; });
    assert.deepEqual([token, asked], ['minted', 'https://api-abc-uc.a.run.app']);
  });
});
