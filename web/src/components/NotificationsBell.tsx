// Placeholder: replaced by the notifications bell.
export function NotificationsBell() {
  return null;
}
