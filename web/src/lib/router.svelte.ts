// Client-side routes. Paths hold only opaque ids, never patient names or message text.

export type Route =
  | { name: "home" }
  | { name: "conversation"; id: string }
  | { name: "admin" }
  | { name: "compliance" };

function parse(path: string): Route {
  const conversation = /^\/c\/([0-9a-fA-F-]{36})$/.exec(path);
  if (conversation) return { name: "conversation", id: conversation[1] };
  if (path === "/admin") return { name: "admin" };
  if (path === "/compliance") return { name: "compliance" };
  return { name: "home" };
}

class Router {
  route = $state<Route>(parse(location.pathname));

  constructor() {
    window.addEventListener("popstate", () => {
      this.route = parse(location.pathname);
    });
  }

  go(path: string): void {
    if (path !== location.pathname) history.pushState(null, "", path);
    this.route = parse(path);
  }
}

export const router = new Router();

/** Follows a same-page link without reloading (for `<a href onclick={follow}>`). */
export function follow(event: MouseEvent): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const anchor = event.currentTarget as HTMLAnchorElement;
  event.preventDefault();
  router.go(anchor.pathname);
}
