import { type Accessor, type JSX, createContext, createSignal, onCleanup, splitProps, useContext } from 'solid-js';

/** Client-side routes: `/` (the room list) and `/r/<roomId>`. The server answers index.html for both. */
export type Route = { name: 'rooms' } | { name: 'room'; roomId: string } | { name: 'notFound' };

export const toRoute = (path: string): Route => {
  if (path === '/' || path === '') return { name: 'rooms' };
  const room = /^\/r\/([^/]+)\/?$/.exec(path);
  if (room) {
    try {
      return { name: 'room', roomId: decodeURIComponent(room[1]!) };
    } catch {
      return { name: 'notFound' };
    }
  }
  return { name: 'notFound' };
};

export const roomPath = (roomId: string) => `/r/${encodeURIComponent(roomId)}`;

export interface Router {
  path: Accessor<string>;
  navigate(to: string, options?: { replace?: boolean }): void;
}

export const createRouter = (): Router => {
  const [path, setPath] = createSignal(location.pathname);
  const onPop = () => setPath(location.pathname);
  window.addEventListener('popstate', onPop);
  onCleanup(() => window.removeEventListener('popstate', onPop));
  return {
    path,
    navigate(to, options) {
      if (to === location.pathname) return;
      if (options?.replace) history.replaceState(null, '', to);
      else history.pushState(null, '', to);
      setPath(location.pathname);
      window.scrollTo(0, 0);
    },
  };
};

const RouterContext = createContext<Router>();
export const RouterProvider = RouterContext.Provider;
export const useRouter = (): Router => {
  const router = useContext(RouterContext);
  if (!router) throw new Error('useRouter outside RouterProvider');
  return router;
};

/** An `<a>` that navigates without a reload (a plain link for new tabs, modifiers and middle clicks). */
export const Link = (props: JSX.AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) => {
  const router = useRouter();
  const [local, rest] = splitProps(props, ['href', 'onClick']);
  return (
    <a
      {...rest}
      href={local.href}
      onClick={(event) => {
        if (typeof local.onClick === 'function') local.onClick(event);
        if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        router.navigate(local.href);
      }}
    />
  );
};
