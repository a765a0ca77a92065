// Placeholder: replaced by the screen's implementation.
export function AdminHome() {
  return <p>AdminHome</p>;
}
