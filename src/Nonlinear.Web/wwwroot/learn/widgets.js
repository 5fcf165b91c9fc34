// The live widgets of a lesson: each `.widget[data-widget=name]` element gets `/static/learn/widgets/<name>.js`'s
// mount(element, ctx) when it comes near the screen (a widget asks the server for its numbers, so the ones nobody
// scrolls to cost nothing). A widget that is missing or fails leaves a line naming it, never a broken page.

import { h } from './dom.js';

/** Mounts the widgets inside `root` as they come into view; returns a function that stops watching. */
export function mountWidgets(root, ctx) {
  const elements = [...root.querySelectorAll('.widget[data-widget]')];
  if (!elements.length) {
    return () => {};
  }

  const start = (element) => {
    if (element.dataset.widgetState && element.dataset.widgetState !== 'waiting') {
      return;
    }

    mountWidget(element, ctx);
  };

  if (typeof IntersectionObserver !== 'function') {
    elements.forEach(start);
    return () => {};
  }

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (entry.isIntersecting) {
        observer.unobserve(entry.target);
        start(entry.target);
      }
    }
  }, { rootMargin: '400px 0px' });
  for (const element of elements) {
    element.dataset.widgetState = 'waiting';
    observer.observe(element);
  }

  return () => observer.disconnect();
}

/** Imports and mounts one widget now (also used when a `see` link jumps to a widget not yet mounted). */
export async function mountWidget(element, ctx) {
  const name = element.dataset.widget || '';
  element.dataset.widgetState = 'loading';
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    missing(element, name, 'its name is not a widget name');
    return;
  }

  let module;
  try {
    module = await import(`/static/learn/widgets/${name}.js`);
  } catch (e) {
    console.warn(`The widget ${name} could not be loaded:`, e);
    missing(element, name, 'it is not part of this build');
    return;
  }

  try {
    await module.mount(element, ctx);
    element.dataset.widgetState = 'mounted';
  } catch (e) {
    console.warn(`The widget ${name} failed:`, e);
    missing(element, name, `it failed: ${e && e.message ? e.message : e}`);
  }
}

function missing(element, name, why) {
  element.dataset.widgetState = 'missing';
  element.replaceChildren(h('p', { class: 'learn-widget-missing' }, `The “${name}” widget is not shown: ${why}.`));
}
