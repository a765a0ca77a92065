// Sign-in through Cognito's hosted UI: OAuth 2.0 authorization code with PKCE (RFC 7636, S256).
// The app is a public client (no secret). `/config.json` says where: in AWS the deploy writes
// {"api_url", "auth": {"type": "cognito", "domain", "client_id", "redirect_uri", "scopes"?, "logout_uri"?}}
// (the older {"cognito": {...}} shape is read too). redirect_uri must be this app's /signin page,
// which finishes the flow. The API's JWT authorizer accepts the ID token, which is the one that
// carries `custom:tenant_id` and `cognito:groups`, so the session's bearer token is the ID token.
import type { Role, Session } from "./auth";
import type { WebConfig } from "./api/types";

export type CognitoConfig = {
  domain: string; // https://<prefix>.auth.<region>.amazoncognito.com or a custom domain
  client_id: string;
  redirect_uri: string;
  scopes: string[];
  logout_uri?: string;
};

const PENDING_KEY = "regentra.pkce";
const ROLES_BY_PRECEDENCE: Role[] = ["admin", "lead", "technician", "readonly", "customer"];

/** GET /config.json, or null when there is none (then the app signs in locally). */
export async function loadWebConfig(): Promise<WebConfig | null> {
  try {
    const res = await fetch("/config.json", { headers: { Accept: "application/json" }, cache: "no-store" });
    if (!res.ok || !(res.headers.get("content-type") ?? "").includes("json")) return null;
    return (await res.json()) as WebConfig;
  } catch {
    return null;
  }
}

/** The Cognito settings of a config, when it asks for Cognito sign-in. */
export function cognitoConfig(config: WebConfig | null): CognitoConfig | null {
  if (!config) return null;
  const legacy = (config as unknown as { cognito?: Partial<CognitoConfig> }).cognito;
  const c: Partial<CognitoConfig> | undefined = config.auth?.type === "cognito" ? config.auth : legacy;
  if (!c?.domain || !c.client_id || !c.redirect_uri) return null;
  const domain = (/^https?:\/\//.test(c.domain) ? c.domain : `https://${c.domain}`).replace(/\/+$/, "");
  return {
    domain,
    client_id: c.client_id,
    redirect_uri: c.redirect_uri,
    scopes: c.scopes?.length ? c.scopes : ["openid", "email", "profile"],
    logout_uri: c.logout_uri,
  };
}

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** code_challenge = BASE64URL(SHA-256(code_verifier)). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** Go to the hosted UI; it comes back to redirect_uri with ?code=&state=. */
export async function beginSignIn(c: CognitoConfig, next: string | null): Promise<void> {
  const verifier = randomString(48); // 64 characters, within RFC 7636's 43..128
  const state = randomString(24);
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, next }));
  const url = new URL(`${c.domain}/oauth2/authorize`);
  url.search = new URLSearchParams({
    response_type: "code",
    client_id: c.client_id,
    redirect_uri: c.redirect_uri,
    scope: c.scopes.join(" "),
    state,
    code_challenge: await challengeOf(verifier),
    code_challenge_method: "S256",
  }).toString();
  window.location.assign(url.toString());
}

/** True when this URL is the hosted UI coming back (with a code or an error). */
export function isCallback(params: URLSearchParams): boolean {
  return params.has("state") && (params.has("code") || params.has("error"));
}

const completing = new Map<string, Promise<{ session: Session; next: string | null }>>();

/** Check the state, exchange the code (with the verifier) at /oauth2/token, build the session.
 *  Idempotent per code, so a re-rendered page does not spend the one-time code twice. */
export function completeSignIn(c: CognitoConfig, params: URLSearchParams) {
  const key = params.get("code") ?? params.get("error") ?? "";
  let p = completing.get(key);
  if (!p) {
    p = exchange(c, params);
    completing.set(key, p);
  }
  return p;
}

async function exchange(c: CognitoConfig, params: URLSearchParams): Promise<{ session: Session; next: string | null }> {
  const error = params.get("error");
  if (error) throw new Error(`Sign-in failed: ${params.get("error_description") ?? error}`);
  const raw = sessionStorage.getItem(PENDING_KEY);
  sessionStorage.removeItem(PENDING_KEY); // one attempt per redirect
  const pending = raw ? (JSON.parse(raw) as { state: string; verifier: string; next: string | null }) : null;
  if (!pending || pending.state !== params.get("state")) {
    throw new Error("Sign-in could not be verified (state mismatch). Please sign in again.");
  }
  const res = await fetch(`${c.domain}/oauth2/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      client_id: c.client_id,
      code: params.get("code") ?? "",
      redirect_uri: c.redirect_uri,
      code_verifier: pending.verifier,
    }).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as {
    id_token?: string;
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!res.ok || !body.id_token) {
    throw new Error(`Sign-in failed: ${body.error_description ?? body.error ?? `token endpoint answered ${res.status}`}`);
  }
  return { session: sessionFromIdToken(body.id_token, c.client_id), next: pending.next };
}

/** The JWT's claims (no signature check here: the token came straight from Cognito over TLS,
 *  and the API's authorizer verifies it on every call). */
export function claimsOf(jwt: string): Record<string, unknown> {
  const part = jwt.split(".")[1];
  if (!part) throw new Error("Malformed token.");
  const b64 = part.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(part.length / 4) * 4, "=");
  const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

export function sessionFromIdToken(idToken: string, clientId: string): Session {
  const claims = claimsOf(idToken);
  const aud = claims.aud;
  if (aud !== clientId && !(Array.isArray(aud) && aud.includes(clientId))) {
    throw new Error("Sign-in failed: the token was issued to another app.");
  }
  if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) throw new Error("Sign-in failed: the token has expired.");
  const tenant = claims["custom:tenant_id"];
  if (typeof tenant !== "string" || !tenant) throw new Error("Your account has no MSP (custom:tenant_id); ask your admin.");
  const raw = claims["cognito:groups"];
  const groups = Array.isArray(raw) ? raw.map(String) : typeof raw === "string" ? raw.split(/[\s,]+/) : [];
  const role = ROLES_BY_PRECEDENCE.find((r) => groups.includes(r));
  if (!role) throw new Error("Your account has no role (cognito:groups); ask your admin.");
  const str = (k: string) => (typeof claims[k] === "string" && claims[k] ? (claims[k] as string) : undefined);
  return {
    token: idToken,
    tenant_id: tenant,
    role,
    user_id: String(claims.sub ?? ""),
    client_id: role === "customer" ? str("custom:client_id") : undefined,
    contact_id: role === "customer" ? str("custom:contact_id") : undefined,
    name: str("name") ?? str("email") ?? str("cognito:username"),
  };
}

/** The hosted UI's logout (ends the Cognito session too), when a logout_uri is configured. */
export function logoutUrl(c: CognitoConfig): string | null {
  if (!c.logout_uri) return null;
  const url = new URL(`${c.domain}/logout`);
  url.search = new URLSearchParams({ client_id: c.client_id, logout_uri: c.logout_uri }).toString();
  return url.toString();
}
