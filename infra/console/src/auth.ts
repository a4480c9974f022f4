/**
 * How the browser proves who it is.
 * - Locally (no `config.json`): the token `startConsoleServer` printed, from the `#token=` link or pasted, kept for
 *   the tab (sessionStorage), sent as `Authorization: Bearer <token>`.
 * - In AWS (`config.json` written by the CDK stack): Cognito's hosted sign-in with the authorization code flow and
 *   PKCE; the ID token is kept for the tab and sent as `Authorization: <id token>` (the REST API's Cognito authorizer).
 */

export interface CognitoConfig {
  cognitoDomain: string;
  userPoolClientId: string;
}

const TOKEN_KEY = 'lantern.token';
const VERIFIER_KEY = 'lantern.pkce';
const STATE_KEY = 'lantern.state';
const RETURN_KEY = 'lantern.return';

let cognito: CognitoConfig | undefined;

function base64url(bytes: ArrayBuffer | Uint8Array): string {
  const array = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let text = '';
  array.forEach((b) => {
    text += String.fromCharCode(b);
  });
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomText(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

const redirectUri = () => `${location.origin}/`;

/** Reads config.json (absent locally) and finishes a Cognito sign-in if the page is its redirect. */
export async function initAuth(): Promise<void> {
  try {
    const response = await fetch('config.json', { credentials: 'same-origin' });
    if (response.ok) {
      const config = (await response.json()) as Partial<CognitoConfig>;
      if (
        typeof config.cognitoDomain === 'string' &&
        typeof config.userPoolClientId === 'string' &&
        /^https:\/\//.test(config.cognitoDomain)
      ) {
        cognito = { cognitoDomain: config.cognitoDomain.replace(/\/$/, ''), userPoolClientId: config.userPoolClientId };
      }
    }
  } catch {
    // no config.json: local token mode
  }
  if (cognito) {
    const params = new URLSearchParams(location.search);
    const code = params.get('code');
    if (code) {
      const verifier = sessionStorage.getItem(VERIFIER_KEY);
      const state = sessionStorage.getItem(STATE_KEY);
      const back = sessionStorage.getItem(RETURN_KEY) ?? '#/overview';
      sessionStorage.removeItem(VERIFIER_KEY);
      sessionStorage.removeItem(STATE_KEY);
      if (verifier && state && params.get('state') === state) {
        const response = await fetch(`${cognito.cognitoDomain}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            grant_type: 'authorization_code',
            client_id: cognito.userPoolClientId,
            code,
            redirect_uri: redirectUri(),
            code_verifier: verifier,
          }),
        });
        if (response.ok) {
          const tokens = (await response.json()) as { id_token?: string };
          if (tokens.id_token) sessionStorage.setItem(TOKEN_KEY, tokens.id_token);
        }
      }
      history.replaceState(null, '', `${location.pathname}${/^#\/[a-z]/.test(back) ? back : '#/overview'}`);
    }
    return;
  }
  // `#token=…` from the link printed at start: kept for this tab only, then removed from the address bar.
  const m = /^#token=([A-Za-z0-9._~-]+)/.exec(location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, m[1]);
    history.replaceState(null, '', `${location.pathname}#/overview`);
  }
}

export function usesCognito(): boolean {
  return cognito !== undefined;
}

export function authorization(): string | undefined {
  const t = sessionStorage.getItem(TOKEN_KEY);
  if (!t) return undefined;
  return cognito ? t : `Bearer ${t}`;
}

export function setLocalToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim());
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

/** Sends the browser to Cognito's sign-in page (code flow with PKCE). */
export async function signIn(): Promise<void> {
  if (!cognito) return;
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(VERIFIER_KEY, verifier);
  sessionStorage.setItem(STATE_KEY, state);
  sessionStorage.setItem(RETURN_KEY, location.hash);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: cognito.userPoolClientId,
    redirect_uri: redirectUri(),
    scope: 'openid email profile',
    state,
    code_challenge_method: 'S256',
    code_challenge: challenge,
  });
  location.assign(`${cognito.cognitoDomain}/oauth2/authorize?${query}`);
}
