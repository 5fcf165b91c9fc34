// Stylesheets of optional modules, linked when the module mounts (the page's own app.css is in index.html).

/** Links the stylesheet at `href` once per page: a module mounted again, or many widgets, add one link. */
export function linkStylesheet(href) {
  if (!document.querySelector(`link[rel="stylesheet"][href="${href}"]`)) {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    document.head.append(link);
  }
}
