// The sign-in page: says why it is shown (a refused password, a logout).
const message = document.getElementById('message');
const query = new URLSearchParams(window.location.search);
if (query.has('failed')) {
  message.textContent = 'Wrong user name or password.';
  message.className = 'error';
} else if (query.has('out')) {
  message.textContent = 'You are signed out.';
}
