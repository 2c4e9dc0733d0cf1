// The login page: exchanges a token for the session cookie (POST /api/login), then goes where the user was going.
// The token is sent once and not kept by the page; the cookie is HttpOnly, so no script can read it afterwards.

const form = document.getElementById('login');
const message = document.getElementById('message');

/** Where to go after logging in: a path on this server only (never another host, so no open redirect). */
function next() {
  const n = new URLSearchParams(location.search).get('next') || '/';
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/';
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  message.textContent = '';
  const token = form.token.value.trim();
  let r;
  try {
    r = await fetch('/api/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
      cache: 'no-store',
    });
  } catch (err) {
    message.textContent = 'The server cannot be reached.';
    return;
  }
  if (r.ok) {
    form.token.value = '';
    location.replace(next());
    return;
  }
  const body = await r.json().catch(() => ({}));
  message.textContent = r.status === 429 ? `Too many attempts: ${body.error || 'wait a minute'}`
    : r.status === 401 ? 'This token is not valid.' : (body.error || `Refused (${r.status}).`);
  form.token.select();
});
