// Placeholder: replaced by the screen's implementation.
export function SignIn() {
  return <p>SignIn</p>;
}
