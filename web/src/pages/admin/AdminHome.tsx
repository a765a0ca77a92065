// /admin/* (admins): SLA policies, channels, priority policies, automations, AI reviews and the
// knowledge base, each on its own nested route with a side menu.
import { Navigate, NavLink, Route, Routes } from "react-router-dom";
import { useAuth } from "../../auth";
import { AdminSla } from "./AdminSla";
import { AdminChannels } from "./AdminChannels";
import { AdminPolicies } from "./AdminPolicies";
import { AdminAutomations } from "./AdminAutomations";
import { AdminAiReviews } from "./AdminAiReviews";
import { AdminKb } from "./AdminKb";

const SECTIONS = [
  { path: "sla", label: "SLA policies" },
  { path: "channels", label: "Channels" },
  { path: "policies", label: "Priority policies" },
  { path: "automations", label: "Automations" },
  { path: "ai-reviews", label: "AI reviews" },
  { path: "kb", label: "Knowledge base" },
];

export function AdminHome() {
  const { session } = useAuth();
  if (session?.role !== "admin") {
    return (
      <section className="admin" data-testid="admin-forbidden">
        <h1>Admin</h1>
        <p className="error-box error" role="alert">
          Only administrators can open these settings.
        </p>
      </section>
    );
  }
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label="Admin sections">
        <h1>Admin</h1>
        <ul>
          {SECTIONS.map((s) => (
            <li key={s.path}>
              <NavLink to={`/admin/${s.path}`} data-testid={`admin-nav-${s.path}`}>
                {s.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-body">
        <Routes>
          <Route index element={<Navigate to="sla" replace />} />
          <Route path="sla/*" element={<AdminSla />} />
          <Route path="channels" element={<AdminChannels />} />
          <Route path="policies" element={<AdminPolicies />} />
          <Route path="automations/*" element={<AdminAutomations />} />
          <Route path="ai-reviews" element={<AdminAiReviews />} />
          <Route path="kb/*" element={<AdminKb />} />
          <Route path="*" element={<Navigate to="sla" replace />} />
        </Routes>
      </div>
    </div>
  );
}
