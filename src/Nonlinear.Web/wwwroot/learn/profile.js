// Who is learning (docs/learn-api.md, "Who is learning"): on one's own machine a profile is just a name (pick one
// or type a new one); in a classroom a learner joins with the class's join code and the instructor signs in with
// the instructor code. The session cookie is HttpOnly: the page only ever learns who it is from GET /api/learn/me.

import { h, errorLine } from './dom.js';

/** The learner's name with "switch" and "sign out", or a button to choose a name: for the Learn bar. */
export function whoBar(app) {
  const me = app.me;
  if (!me || !me.learner) {
    return h('div', { class: 'learn-who' },
      h('button', { type: 'button', class: 'learn-link-button', onclick: () => app.showWho(true) },
        me && me.classroom ? 'Join the class' : 'Choose your name'));
  }

  const learner = me.learner;
  return h('div', { class: 'learn-who', 'data-learner': learner.name },
    h('span', { class: 'learn-who-label' }, learner.role === 'instructor' ? 'Instructor:' : 'Learning as'),
    h('strong', { class: 'learn-who-name' }, learner.name),
    me.classroom ? null : h('button', { type: 'button', class: 'learn-link-button', 'data-action': 'switch', onclick: () => app.showWho(true) }, 'switch'),
    h('button', { type: 'button', class: 'learn-link-button', 'data-action': 'signout', onclick: () => signOut(app) }, 'sign out'));
}

async function signOut(app) {
  try {
    await app.api.post('/api/learn/signout');
  } catch (e) {
    app.showMessage(e.message, 'error');
  }

  await app.reloadMe();
}

/**
 * The panel for choosing who is learning: the profile picker on one's own machine, the join form (and the small
 * instructor form) in a classroom. `closable` adds a "cancel" for someone already signed in who opened it to switch.
 */
export function whoPanel(app, { closable = false } = {}) {
  const me = app.me || { classroom: false, profiles: [] };
  const panel = h('section', { class: 'learn-panel learn-who-panel', 'aria-labelledby': 'learn-who-heading', 'data-who': me.classroom ? 'classroom' : 'profiles' });
  if (me.classroom) {
    panel.append(
      h('h2', { id: 'learn-who-heading' }, 'Join the class'),
      h('p', {}, 'Type the join code your instructor gave you and the name the class will see.'),
      joinForm(app),
      instructorForm(app));
  } else {
    panel.append(
      h('h2', { id: 'learn-who-heading' }, 'Who is learning?'),
      h('p', {}, 'Your progress is saved under your name on this machine. No password: anyone at this computer can pick any name.'),
      profilePicker(app));
  }

  if (closable) {
    panel.append(h('button', { type: 'button', class: 'learn-link-button learn-who-cancel', onclick: () => app.showWho(false) }, 'cancel'));
  }

  return panel;
}

function profilePicker(app) {
  const box = h('div', { class: 'learn-profiles' });
  const error = h('div', { class: 'learn-form-error', 'aria-live': 'assertive' });
  const current = app.me && app.me.learner ? app.me.learner.name : null;
  const choose = async (name, button) => {
    error.replaceChildren();
    button.disabled = true;
    try {
      await app.api.post('/api/learn/profile', { name });
      await app.reloadMe();
    } catch (e) {
      error.replaceChildren(errorLine(e.message));
      button.disabled = false;
    }
  };

  const profiles = (app.me && app.me.profiles) || [];
  if (profiles.length) {
    const list = h('div', { class: 'learn-profile-list', role: 'group', 'aria-label': 'Existing profiles' });
    for (const name of profiles) {
      const button = h('button', { type: 'button', class: 'learn-profile', 'data-profile': name, 'aria-current': name === current ? 'true' : null }, name);
      button.addEventListener('click', () => choose(name, button));
      list.append(button);
    }

    box.append(h('p', { class: 'learn-small' }, 'Continue as:'), list);
  }

  const input = h('input', { type: 'text', id: 'learn-new-name', name: 'name', maxlength: '40', autocomplete: 'nickname', required: true, placeholder: 'e.g. Ada' });
  const start = h('button', { type: 'submit', class: 'learn-button primary' }, 'Start');
  const form = h('form', { class: 'learn-new-profile', 'data-form': 'profile' },
    h('label', { for: 'learn-new-name' }, profiles.length ? 'Or a new name' : 'Your name'),
    input, start);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) {
      error.replaceChildren(errorLine('Type a name (1 to 40 characters).'));
      input.focus();
      return;
    }

    choose(name, start);
  });
  box.append(form, error);
  return box;
}

function joinForm(app) {
  const code = h('input', { type: 'text', id: 'learn-join-code', name: 'code', autocomplete: 'off', spellcheck: 'false', required: true, class: 'learn-mono' });
  const name = h('input', { type: 'text', id: 'learn-join-name', name: 'name', maxlength: '40', autocomplete: 'nickname', required: true });
  const error = h('div', { class: 'learn-form-error', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', class: 'learn-button primary' }, 'Join');
  const form = h('form', { class: 'learn-join', 'data-form': 'join' },
    h('div', { class: 'learn-form-row' }, h('label', { for: 'learn-join-code' }, 'Join code'), code),
    h('div', { class: 'learn-form-row' }, h('label', { for: 'learn-join-name' }, 'Your name'), name),
    button, error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.replaceChildren();
    button.disabled = true;
    try {
      await app.api.post('/api/classroom/join', { code: code.value.trim(), name: name.value.trim() });
      await app.reloadMe();
    } catch (e) {
      error.replaceChildren(errorLine(e.message));
      button.disabled = false;
    }
  });
  return form;
}

function instructorForm(app) {
  const code = h('input', { type: 'password', id: 'learn-instructor-code', name: 'code', autocomplete: 'off', required: true, class: 'learn-mono' });
  const error = h('div', { class: 'learn-form-error', 'aria-live': 'assertive' });
  const button = h('button', { type: 'submit', class: 'learn-button' }, 'Sign in');
  const form = h('form', { class: 'learn-instructor', 'data-form': 'instructor' },
    h('div', { class: 'learn-form-row' }, h('label', { for: 'learn-instructor-code' }, 'Instructor code'), code),
    button, error);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.replaceChildren();
    button.disabled = true;
    try {
      await app.api.post('/api/classroom/instructor', { code: code.value.trim() });
      await app.reloadMe();
    } catch (e) {
      error.replaceChildren(errorLine(e.message));
      button.disabled = false;
    }
  });
  return h('details', { class: 'learn-instructor-box' }, h('summary', {}, 'I am the instructor'), form);
}
