/** An error the page reports: announced to screen readers as it appears. */
export function ErrorNotice({ error }: { error?: string | undefined }) {
  if (!error) return null;
  return (
    <p class="notice notice-error" role="alert">
      {error}
    </p>
  );
}
