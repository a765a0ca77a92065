// Sign-in. Locally (config auth.type "local", or no config): one button per demo user from
// GET /_local/demo and a small form, both through POST /_local/token. In AWS (auth.type
// "cognito"): Cognito's hosted UI with authorization code + PKCE (../cognito.ts); this page is
// the redirect_uri and finishes the flow. Then on to `next`, else /board (staff) or /portal.
import { useEffect, useState } from "react";
import { useNavigate, useSearchParams } from "react-router-dom";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../api/client";
import type { LocalDemoUser, LocalToken, LocalTokenBody } from "../api/types";
import { isStaff, useAuth, type Role, type Session } from "../auth";
import { beginSignIn, cognitoConfig, completeSignIn, isCallback, loadWebConfig, logoutUrl } from "../cognito";
import { ErrorText } from "../components/ErrorText";

const ROLES: Role[] = ["admin", "lead", "technician", "readonly", "customer"];

/** Only same-app paths: never another origin ("//evil" or "https://…"). */
function safeNext(next: string | null): string | null {
  return next && next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/signin") ? next : null;
}

export function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { signIn } = useAuth();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const config = useQuery({ queryKey: ["web-config"], queryFn: loadWebConfig, staleTime: Infinity });
  const cognito = cognitoConfig(config.data ?? null);
  const local = config.isSuccess && !cognito;
  const next = safeNext(params.get("next"));

  function finish(session: Session, to: string | null) {
    qc.clear(); // nothing cached for a previous user survives
    signIn(session);
    navigate(safeNext(to) ?? (isStaff(session) ? "/board" : "/portal"), { replace: true });
  }

  // Back from the hosted UI: ?code=&state= (or ?error=).
  const callback = !!cognito && isCallback(params);
  useEffect(() => {
    if (!cognito || !isCallback(params)) return;
    let live = true;
    completeSignIn(cognito, params).then(
      ({ session, next: to }) => live && finish(session, to),
      (e: unknown) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [cognito?.client_id, params]);

  async function localSignIn(body: LocalTokenBody, name?: string) {
    setBusy(true);
    setError(null);
    try {
      const tokenUrl = (config.data?.auth?.type === "local" && config.data.auth.token_url) || "/_local/token";
      const { token } = await api.post<LocalToken>(tokenUrl, body);
      finish(
        {
          token,
          tenant_id: body.tenant_id,
          role: body.role,
          user_id: body.user_id,
          client_id: body.client_id,
          contact_id: body.contact_id,
          name,
        },
        next,
      );
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="staff signin">
      <h1>Sign in to Regentra</h1>
      {params.get("expired") && (
        <p className="notice" role="status" data-testid="session-expired">
          Your session has ended; please sign in again.
        </p>
      )}
      {config.isPending && <p>Loading…</p>}
      {cognito && (
        <section className="panel" aria-labelledby="cognito-heading">
          <h2 id="cognito-heading">Your account</h2>
          {callback && !error ? (
            <p role="status">Signing you in…</p>
          ) : (
            <>
              <button
                type="button"
                className="primary"
                onClick={() => beginSignIn(cognito, next).catch(setError)}
                data-testid="signin-cognito"
              >
                Sign in
              </button>
              {logoutUrl(cognito) && (
                <p>
                  <a href={logoutUrl(cognito)!}>Sign in as someone else</a>
                </p>
              )}
            </>
          )}
        </section>
      )}
      <ErrorText error={error} testId="signin-error" />
      {local && <LocalSignIn demoUrl={config.data?.auth?.demo_url} busy={busy} onSignIn={localSignIn} />}
    </main>
  );
}

function LocalSignIn({
  demoUrl,
  busy,
  onSignIn,
}: {
  demoUrl?: string;
  busy: boolean;
  onSignIn: (body: LocalTokenBody, name?: string) => void;
}) {
  const demo = useQuery({
    queryKey: ["local-demo-users", demoUrl],
    queryFn: () => api.get<{ items: LocalDemoUser[] }>(demoUrl || "/_local/demo"),
    staleTime: Infinity,
  });
  const users = demo.data?.items ?? [];
  const [form, setForm] = useState({ tenant_id: "", role: "technician" as Role, user_id: "", client_id: "", contact_id: "" });
  const tenant = form.tenant_id || users[0]?.tenant_id || "demo-msp";
  const customer = form.role === "customer";

  const groups: [string, LocalDemoUser[]][] = [
    ["Staff", users.filter((u) => u.role !== "customer")],
    ["Customers", users.filter((u) => u.role === "customer")],
  ];

  return (
    <>
      <section className="panel" aria-labelledby="demo-heading">
        <h2 id="demo-heading">Demo users (local)</h2>
        <ErrorText error={demo.error} />
        {demo.isSuccess && users.length === 0 && <p className="subtle">No demo data (started with --no-demo): use the form.</p>}
        {groups.map(
          ([title, list]) =>
            list.length > 0 && (
              <div key={title} className="demo-group">
                <h3>{title}</h3>
                <div className="demo-users">
                  {list.map((u) => (
                    <button
                      key={`${u.tenant_id}/${u.user_id}`}
                      type="button"
                      disabled={busy}
                      data-testid={`signin-${u.user_id}`}
                      onClick={() =>
                        onSignIn(
                          {
                            tenant_id: u.tenant_id,
                            role: u.role,
                            user_id: u.user_id,
                            client_id: u.client_id,
                            contact_id: u.contact_id,
                          },
                          u.name,
                        )
                      }
                    >
                      {u.label}
                    </button>
                  ))}
                </div>
              </div>
            ),
        )}
      </section>
      <section className="panel" aria-labelledby="manual-heading">
        <h2 id="manual-heading">Anyone (local)</h2>
        <form
          className="signin-form"
          onSubmit={(e) => {
            e.preventDefault();
            const body: LocalTokenBody = { tenant_id: tenant, role: form.role, user_id: form.user_id.trim() };
            if (customer) {
              body.client_id = form.client_id.trim();
              body.contact_id = form.contact_id.trim() || undefined;
            }
            onSignIn(body);
          }}
        >
          <label className="field">
            <span>Tenant</span>
            <input
              value={form.tenant_id}
              placeholder={tenant}
              onChange={(e) => setForm({ ...form, tenant_id: e.target.value.trim() })}
              data-testid="signin-tenant"
            />
          </label>
          <label className="field">
            <span>Role</span>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })} data-testid="signin-role">
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>User id</span>
            <input
              value={form.user_id}
              onChange={(e) => setForm({ ...form, user_id: e.target.value })}
              required
              data-testid="signin-user"
            />
          </label>
          {customer && (
            <>
              <label className="field">
                <span>Client id</span>
                <input
                  value={form.client_id}
                  onChange={(e) => setForm({ ...form, client_id: e.target.value })}
                  required
                  data-testid="signin-client"
                />
              </label>
              <label className="field">
                <span>Contact id</span>
                <input
                  value={form.contact_id}
                  onChange={(e) => setForm({ ...form, contact_id: e.target.value })}
                  data-testid="signin-contact"
                />
              </label>
            </>
          )}
          <button type="submit" className="primary" disabled={busy || !form.user_id.trim()} data-testid="signin-submit">
            Sign in
          </button>
        </form>
      </section>
    </>
  );
}
