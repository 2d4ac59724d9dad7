// The sign-in form: posts the password as JSON and, once signed in, opens the dashboard.

const form = document.getElementById('login');
const error = document.getElementById('login-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  error.textContent = '';
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const response = await fetch('/login', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ password: document.getElementById('password').value }),
    });
    if (response.ok) {
      window.location.assign('/');
      return;
    }
    const body = await response.json().catch(() => ({}));
    error.textContent = response.status === 401 ? 'Wrong password.' : (body.message || 'Sign-in failed (' + response.status + ').');
  } catch (e) {
    error.textContent = 'Trackside cannot be reached: ' + e.message;
  } finally {
    button.disabled = false;
  }
});
