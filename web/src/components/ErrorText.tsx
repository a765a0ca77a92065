// API errors shown inline, never swallowed: the API's own message, with its status and code.
import { ApiError } from "../api/client";

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

export function ErrorText({ error, testId }: { error: unknown; testId?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError ? ` (${error.status} ${error.code})` : "";
  return (
    <p className="error" role="alert" data-testid={testId}>
      {errorMessage(error)}
      {code}
    </p>
  );
}
