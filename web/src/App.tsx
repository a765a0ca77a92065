// Routes. Staff screens live in pages/staff, the customer portal in pages/portal, chat in pages/chat,
// admin screens in pages/admin. Signed-out users go to the sign-in page; customers only reach the portal.
import { Navigate, NavLink, Outlet, Route, Routes, useLocation } from "react-router-dom";
import { isStaff, useAuth } from "./auth";
import { SignIn } from "./pages/SignIn";
import { Board } from "./pages/staff/Board";
import { TicketList } from "./pages/staff/TicketList";
import { TicketDetail } from "./pages/staff/TicketDetail";
import { PortalTickets } from "./pages/portal/PortalTickets";
import { PortalTicket } from "./pages/portal/PortalTicket";
import { PortalNewTicket } from "./pages/portal/PortalNewTicket";
import { ChatWidget } from "./pages/chat/ChatWidget";
import { ChatInbox } from "./pages/chat/ChatInbox";
import { AdminHome } from "./pages/admin/AdminHome";
import { NotificationsBell } from "./components/NotificationsBell";

function RequireStaff() {
  const { session } = useAuth();
  const loc = useLocation();
  if (!session) return <Navigate to={`/signin?next=${encodeURIComponent(loc.pathname + loc.search)}`} replace />;
  if (!isStaff(session)) return <Navigate to="/portal" replace />;
  return <StaffLayout />;
}

function RequireCustomer() {
  const { session } = useAuth();
  if (!session) return <Navigate to="/signin" replace />;
  if (isStaff(session)) return <Navigate to="/board" replace />;
  return <PortalLayout />;
}

function Header({ children }: { children: React.ReactNode }) {
  const { session, signOut } = useAuth();
  return (
    <header className="topbar">
      <span className="brand">Regentra</span>
      <nav>{children}</nav>
      <span className="who" data-testid="who">
        {session?.name ?? session?.user_id} · {session?.role}
      </span>
      <button className="link" onClick={signOut}>
        Sign out
      </button>
    </header>
  );
}

function StaffLayout() {
  const { session } = useAuth();
  return (
    <>
      <Header>
        <NavLink to="/board">Board</NavLink>
        <NavLink to="/tickets">List</NavLink>
        <NavLink to="/chat">Chats</NavLink>
        {session?.role === "admin" && <NavLink to="/admin">Admin</NavLink>}
        <NotificationsBell />
      </Header>
      <main>
        <Outlet />
      </main>
    </>
  );
}

function PortalLayout() {
  return (
    <>
      <Header>
        <NavLink to="/portal" end>
          My tickets
        </NavLink>
        <NavLink to="/portal/new">New ticket</NavLink>
        <NavLink to="/portal/chat">Chat with us</NavLink>
      </Header>
      <main>
        <Outlet />
      </main>
    </>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/signin" element={<SignIn />} />
      <Route element={<RequireStaff />}>
        <Route path="/board" element={<Board />} />
        <Route path="/tickets" element={<TicketList />} />
        <Route path="/tickets/:ticketId" element={<TicketDetail />} />
        <Route path="/chat" element={<ChatInbox />} />
        <Route path="/admin/*" element={<AdminHome />} />
      </Route>
      <Route element={<RequireCustomer />}>
        <Route path="/portal" element={<PortalTickets />} />
        <Route path="/portal/new" element={<PortalNewTicket />} />
        <Route path="/portal/tickets/:ticketId" element={<PortalTicket />} />
        <Route path="/portal/chat" element={<ChatWidget />} />
      </Route>
      <Route path="*" element={<Navigate to="/board" replace />} />
    </Routes>
  );
}
