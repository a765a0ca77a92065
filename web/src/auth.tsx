// Who is signed in. Locally a token comes from POST /_local/token (the sign-in page);
// in AWS from Cognito's hosted UI (authorization code + PKCE), see ./cognito.ts.
import { createContext, useContext, useState, type ReactNode } from "react";

export type Role = "admin" | "lead" | "technician" | "readonly" | "customer";

export type Session = {
  token: string;
  tenant_id: string;
  role: Role;
  user_id: string;
  client_id?: string;
  contact_id?: string;
  name?: string;
};

const KEY = "regentra.session";

export function getSession(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

export function isStaff(s: Session | null): boolean {
  return !!s && s.role !== "customer";
}

export function canWrite(s: Session | null): boolean {
  return !!s && ["admin", "lead", "technician"].includes(s.role);
}

type AuthValue = { session: Session | null; signIn: (s: Session) => void; signOut: () => void };
const AuthContext = createContext<AuthValue>({ session: null, signIn: () => {}, signOut: () => {} });

export function AuthProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<Session | null>(getSession);
  const value: AuthValue = {
    session,
    signIn: (s) => {
      localStorage.setItem(KEY, JSON.stringify(s));
      setSession(s);
    },
    signOut: () => {
      localStorage.removeItem(KEY);
      setSession(null);
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  return useContext(AuthContext);
}
