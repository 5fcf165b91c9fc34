// Learn: the nine-module course, exercises checked by the server, the tutor, progress and the discussion board.
// (A first shell: the lead's skeleton; the Learn front end replaces it.)

export async function mountLearn(element, ctx) {
  element.innerHTML = '';
  const modules = await ctx.api.get('/api/learn/me');
  const p = document.createElement('p');
  p.textContent = modules.learner ? `Learning as ${modules.learner.name}.` : 'Choose a name to start.';
  element.append(p);
  document.body.dataset.learnReady = 'true';
}
