// What a page does when the server no longer lets it in (its token revoked, its session ended): it goes to the
// login page, which brings it back here afterwards (docs/security.md). On an open server nothing is ever refused.

/** Sends the page to the login page when {@code response} says it is not logged in; true when it did. */
export function loginAgainIfRefused(response) {
  if (response && response.status === 401) {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    return true;
  }
  return false;
}

/** After the server closed a stream on policy: asks whether this page may still read streams, and if not, logs in. */
export async function checkAccess() {
  try {
    loginAgainIfRefused(await fetch('/api/streams', { cache: 'no-store' }));
  } catch (e) {
    // the server is down: the stream's reconnect says so
  }
}
