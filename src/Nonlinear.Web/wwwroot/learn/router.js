// Learn's addresses (docs/learn-api.md, "Addresses of the page"): which view a path names, and moving between them
// with history.pushState so the back button works and the playground's hash listener never sees a Learn anchor.

/** True for /learn and /learn/...: the paths Learn owns. */
export function isLearnPath(pathname = location.pathname) {
  return pathname === '/learn' || pathname.startsWith('/learn/');
}

/**
 * The view a Learn address names: `{ view, module?, id?, q? }`. `view` is overview, module, glossary, questions,
 * search, progress, discuss, thread, classroom or missing (an address no view has).
 */
export function parseRoute(pathname = location.pathname, search = location.search) {
  const parts = pathname.replace(/^\/learn\/?/, '').split('/').filter((p) => p !== '').map(decodeURIComponent);
  if (parts.length === 0) {
    return { view: 'overview' };
  }

  const [first, second] = parts;
  if (parts.length === 1 && /^m\d+$/.test(first)) {
    return { view: 'module', module: first };
  }

  if (parts.length === 1 && ['glossary', 'questions', 'progress', 'classroom'].includes(first)) {
    return { view: first };
  }

  if (parts.length === 1 && first === 'search') {
    return { view: 'search', q: new URLSearchParams(search).get('q') || '' };
  }

  if (first === 'discuss' && parts.length === 1) {
    return { view: 'discuss' };
  }

  if (first === 'discuss' && parts.length === 2 && /^\d+$/.test(second)) {
    return { view: 'thread', id: Number(second) };
  }

  return { view: 'missing' };
}

/** The address of module `id`, optionally at the element `anchor` of its page. */
export function moduleHref(id, anchor) {
  return `/learn/${encodeURIComponent(id)}${anchor ? `#${encodeURIComponent(anchor)}` : ''}`;
}

/** The address of a `see` pointer `{module, anchor, label}` from the server. */
export function seeHref(see) {
  return moduleHref(see.module, see.anchor || null);
}

/**
 * Follows clicks on links inside `root`: Learn addresses go through `navigate` (no page load), links to this app's
 * playground (`/#state`) open it in the playground tab; others (the export download, new tabs, other sites) are left
 * to the browser. A handler below that already took the click (defaultPrevented) wins.
 */
export function followLinks(root, { navigate, openPlayground }) {
  root.addEventListener('click', (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) {
      return;
    }

    const link = event.target.closest('a[href]');
    if (!link || !root.contains(link) || link.hasAttribute('download') || (link.target && link.target !== '_self')) {
      return;
    }

    const url = new URL(link.getAttribute('href'), location.href);
    if (url.origin !== location.origin) {
      return;
    }

    if (isLearnPath(url.pathname)) {
      event.preventDefault();
      navigate(url.pathname + url.search + url.hash);
    } else if (url.pathname === '/' && url.hash.length > 1 && openPlayground) {
      event.preventDefault();
      openPlayground(url.hash.slice(1));
    }
  });
}
