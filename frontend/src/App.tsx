import { Match, Show, Switch, createEffect, createMemo, createResource, createSignal, on, onCleanup } from 'solid-js';
import { type Viewer, fetchProviders, fetchViewer, setViewerStatus, signInWithHandle, signOut, toSignInError } from './auth/session.js';
import { BalloonMark, SignInPage } from './auth/SignInPage.js';
import { UserMenu } from './auth/UserMenu.js';
import { createMessageOutbox } from './chat/messageOutbox.js';
import { RoomPage, toTabTitle } from './chat/RoomPage.js';
import { type ConnectionState, type GraphQLClient, browserNetwork, createBrowserGraphQLClient } from './graphql/client.js';
import type { MemberFieldsFragment, RoomKind, UserStatus } from './graphql/gql/graphql.js';
import { createDesktopNotifications } from './notify/desktopNotifications.js';
import { createNotifier } from './notify/notifier.js';
import { NotifyButton } from './notify/NotifyButton.js';
import { NewMessageBox } from './people/NewMessageBox.js';
import { createUserSearch } from './people/userSearch.js';
import { MyRoomList } from './rooms/MyRoomList.js';
import { createMyRooms } from './rooms/myRooms.js';
import { RoomFilter } from './rooms/RoomFilter.js';
import { RoomList } from './rooms/RoomList.js';
import { createRoomDirectory } from './rooms/roomDirectory.js';
import { visibleRooms } from './rooms/roomList.js';
import { RoomsPage } from './rooms/RoomsPage.js';
import { SearchBar } from './search/SearchBar.js';
import type { SearchHit } from './search/searchResults.js';
import { createSearchSession } from './search/searchSession.js';
import { ConnectionBanner } from './ui/ConnectionBanner.js';
import { LoadMore } from './ui/LoadMore.js';
import { Link, RouterProvider, createRouter, roomPath, toRoute, useRouter } from './ui/router.js';

const HIDE_EMPTY_KEY = 'balloons:hide-empty-rooms';
const readFlag = (key: string) => {
  try {
    return localStorage.getItem(key) === '1';
  } catch {
    return false;
  }
};
const writeFlag = (key: string, value: boolean) => {
  try {
    localStorage.setItem(key, value ? '1' : '0');
  } catch {
    // storage unavailable: the toggle lasts for this page
  }
};

/** The page: who is signed in decides between the sign-in page and the chat. */
export const App = () => {
  const client = createBrowserGraphQLClient();
  onCleanup(() => void client.dispose());
  const router = createRouter();
  const [providers] = createResource(fetchProviders);
  const [viewer, { mutate: setViewer, refetch: refetchViewer }] = createResource<Viewer | null>(() => fetchViewer(client.urql));

  const signIn = async (handle: string) => {
    const problem = await signInWithHandle(handle);
    if (!problem) await refetchViewer();
    return problem;
  };

  createEffect(() => {
    if (viewer() === null) document.title = 'Sign in · Balloons';
  });

  // The X callback lands on /?signin_error=<code> when sign-in failed: show why once, then tidy the URL.
  const signInError = toSignInError(window.location.search);
  if (signInError) window.history.replaceState(null, '', window.location.pathname);

  return (
    <RouterProvider value={router}>
      <Switch>
        <Match when={viewer.error as unknown}>
          <main class="splash" id="main">
            <BalloonMark />
            <p role="alert">{viewer.error instanceof Error ? viewer.error.message : 'Something went wrong.'}</p>
            <button type="button" class="button button-primary" onClick={() => void refetchViewer()}>
              Try again
            </button>
          </main>
        </Match>
        <Match when={viewer() === undefined}>
          <main class="splash" id="main" aria-busy="true">
            <BalloonMark />
            <p class="visually-hidden">Loading…</p>
          </main>
        </Match>
        <Match when={viewer() === null}>
          <Show when={providers()}>
            {(p) => <SignInPage providers={p()} returnTo={router.path()} onSignIn={signIn} initialError={signInError} />}
          </Show>
        </Match>
        <Match when={viewer()}>
          {(me) => (
            <SignedIn viewer={me()} client={client} onViewerChange={(v) => setViewer(v)} onSessionEnded={() => void refetchViewer()} />
          )}
        </Match>
      </Switch>
    </RouterProvider>
  );
};

/** Everything behind sign-in: the header, the room list, a room. */
const SignedIn = (props: {
  viewer: Viewer;
  client: GraphQLClient;
  onViewerChange: (viewer: Viewer) => void;
  /** The server says the session is over: ask who is signed in (the sign-in page follows). */
  onSessionEnded: () => void;
}) => {
  const router = useRouter();
  const route = createMemo(() => toRoute(router.path()));
  // One client, room list and outbox for as long as this person is signed in.
  const client = props.client;
  const directory = createRoomDirectory(client, { onSessionEnded: () => props.onSessionEnded() });
  const messages = createMessageOutbox(client, props.viewer.id, browserNetwork());
  const mine = createMyRooms(client, {
    onSessionEnded: () => props.onSessionEnded(),
    viewerId: props.viewer.id,
    onActivity: (before, after) => notifier.activity(before, after),
  });
  const notifications = createDesktopNotifications({ onOpen: (roomId) => router.navigate(roomPath(roomId)) });
  const notifier = createNotifier({
    client,
    viewer: () => props.viewer,
    notifications,
    isHidden: () => document.visibilityState === 'hidden',
  });
  const people = createUserSearch(client);
  const search = createSearchSession(client, { onSessionEnded: () => props.onSessionEnded() });
  /** A message to show once its room is open (a search result was chosen). */
  const [jumpRequest, setJumpRequest] = createSignal<{ roomId: string; messageId: string; createdAt: string } | null>(null);
  const [connection, setConnection] = createSignal<ConnectionState>(client.connection());
  const [hideEmpty, setHideEmpty] = createSignal(readFlag(HIDE_EMPTY_KEY));
  const [roomsOpen, setRoomsOpen] = createSignal(false);
  const [peopleOpen, setPeopleOpen] = createSignal(false);
  const [statusError, setStatusError] = createSignal<string | null>(null);

  const stopConnection = client.onConnectionChange(setConnection);
  const stopSessionEnded = client.onSessionEnded(() => props.onSessionEnded());
  // Escape closes whichever panel is open over the room (phone layout).
  const onKey = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || (!roomsOpen() && !peopleOpen())) return;
    setRoomsOpen(false);
    setPeopleOpen(false);
  };
  window.addEventListener('keydown', onKey);
  onCleanup(() => {
    stopSessionEnded();
    window.removeEventListener('keydown', onKey);
    directory.dispose();
    messages.dispose();
    mine.dispose();
    people.dispose();
    search.dispose();
    stopConnection();
  });

  // Panels close when the route changes (phone layout).
  createEffect(
    on(route, () => {
      setRoomsOpen(false);
      setPeopleOpen(false);
    }),
  );
  createEffect(() => {
    if (route().name !== 'room') document.title = toTabTitle('Rooms', mine.totalUnread());
  });

  /** A room's unread count as the list has it (0 for a room the viewer only reads). */
  const unreadIn = (roomId: string) => {
    const room = mine.find(roomId);
    return room?.myMembership === 'JOINED' ? room.unreadCount : 0;
  };

  const currentRoomId = () => {
    const r = route();
    return r.name === 'room' ? r.roomId : null;
  };
  // A jump asked for one room is forgotten once another is open (it was not shown in time).
  createEffect(
    on(currentRoomId, (id) => {
      if (jumpRequest() && jumpRequest()?.roomId !== id) setJumpRequest(null);
    }),
  );
  const openSearchHit = (hit: SearchHit) => {
    setJumpRequest({ roomId: hit.node.room.id, messageId: hit.node.id, createdAt: hit.node.createdAt });
    router.navigate(roomPath(hit.node.room.id));
  };

  const createRoom = async (name: string, kind: RoomKind) => {
    const result = await directory.createRoom(name, kind);
    if (typeof result === 'string') return result;
    mine.add(result);
    router.navigate(roomPath(result.id));
    return null;
  };

  const openDirect = async (handles: string[]) => {
    const result = await mine.openDirect(handles);
    if (typeof result === 'string') return result;
    router.navigate(roomPath(result.id));
    return null;
  };
  const accept = async (roomId: string) => {
    const problem = await mine.join(roomId);
    if (problem === null && currentRoomId() !== roomId) router.navigate(roomPath(roomId));
    return problem;
  };
  const decline = async (roomId: string) => {
    const problem = await mine.decline(roomId);
    if (problem === null && currentRoomId() === roomId) router.navigate('/');
    return problem;
  };
  const leaveRoom = async (roomId: string) => {
    const problem = await mine.leave(roomId);
    if (problem === null) router.navigate('/');
    return problem;
  };
  // Removed, muted, made a moderator: the sidebar reads the list again rather than guess.
  const onViewerMembershipChanged = (_member: MemberFieldsFragment) => mine.refresh();
  const newMessageBox = (id: string) => (
    <NewMessageBox
      id={id}
      viewerId={props.viewer.id}
      suggestions={people.results()}
      onQuery={(prefix) => people.search(prefix)}
      onOpen={openDirect}
    />
  );

  const changeStatus = async (status: UserStatus) => {
    const previous = props.viewer;
    props.onViewerChange({ ...previous, status });
    const result = await setViewerStatus(client.urql, status);
    setStatusError(typeof result === 'string' ? result : null);
    props.onViewerChange(typeof result === 'string' ? previous : result);
  };

  const leave = async () => {
    await signOut();
    // A fresh page: no socket, cache or outbox of the old session survives.
    location.assign('/');
  };

  return (
    <div class="app" classList={{ 'in-room': route().name === 'room', 'rooms-open': roomsOpen() }}>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <header class="app-header">
        <Link href="/" class="brand" aria-label="Balloons, all rooms">
          <BalloonMark />
          <span class="brand-name">Balloons</span>
        </Link>
        <SearchBar
          state={search.state()}
          onSearch={(query) => search.search(query)}
          onLoadMore={() => search.loadMore()}
          onOpenResult={openSearchHit}
        />
        <UserMenu viewer={props.viewer} onStatusChange={(s) => void changeStatus(s)} onSignOut={() => void leave()} />
      </header>
      <ConnectionBanner state={connection()} queued={messages.unsent()} />
      <Show when={statusError()}>
        <p class="form-error banner-error" role="alert">
          {statusError()}
        </p>
      </Show>

      <Switch>
        <Match when={route().name === 'rooms'}>
          <RoomsPage
            rooms={directory.rooms()}
            ready={directory.ready()}
            loading={directory.loading()}
            error={directory.error()}
            onRetry={() => directory.retry()}
            search={directory.search()}
            onSearch={(text) => directory.setSearch(text)}
            hasMore={directory.hasMore()}
            loadingMore={directory.loadingMore()}
            moreError={directory.moreError()}
            onLoadMore={() => directory.loadMore()}
            hideEmpty={hideEmpty()}
            onHideEmptyChange={(hide) => {
              setHideEmpty(hide);
              writeFlag(HIDE_EMPTY_KEY, hide);
            }}
            onCreate={createRoom}
          >
            <section class="panel yours" aria-labelledby="yours-heading">
              <div class="panel-head">
                <h2 id="yours-heading">Your conversations</h2>
                <NotifyButton permission={notifications.permission()} onRequest={() => void notifications.request()} />
              </div>
              <Show when={mine.error()}>
                <p class="form-error" role="alert">
                  {mine.error()}{' '}
                  <button type="button" class="link-button" onClick={() => mine.refresh()}>
                    Try again
                  </button>
                </p>
              </Show>
              <Show when={mine.ready()} fallback={<p class="empty-note">Loading your rooms…</p>}>
                <MyRoomList
                  invitations={mine.invitations()}
                  joined={mine.joined()}
                  onAccept={accept}
                  onDecline={decline}
                  peopleOf={(id) => mine.peopleOf(id)}
                  empty="Rooms you join, private rooms and direct messages show here."
                />
                <Show when={mine.hasMore()}>
                  <LoadMore
                    count={mine.joined().length}
                    loading={mine.loadingMore()}
                    error={null}
                    label="Show more"
                    onLoadMore={() => mine.loadMore()}
                  />
                </Show>
              </Show>
              {newMessageBox('new-message-handles')}
            </section>
          </RoomsPage>
        </Match>
        <Match when={currentRoomId()}>
          {(roomId) => (
            <div class="room-layout">
              <nav class="room-switcher" aria-label="Rooms" id="room-switcher">
                <div class="switcher-head">
                  <h2>Conversations</h2>
                  <NotifyButton permission={notifications.permission()} onRequest={() => void notifications.request()} compact />
                </div>
                <MyRoomList
                  invitations={mine.invitations()}
                  joined={mine.joined()}
                  currentId={roomId()}
                  onNavigate={() => setRoomsOpen(false)}
                  onAccept={accept}
                  onDecline={decline}
                  peopleOf={(id) => mine.peopleOf(id)}
                  empty="None yet."
                />
                <details class="switcher-new-message">
                  <summary class="button button-quiet button-small">New message</summary>
                  {newMessageBox('switcher-new-message')}
                </details>
                <div class="switcher-head">
                  <h2>Rooms</h2>
                  <label class="toggle toggle-small">
                    <input
                      type="checkbox"
                      class="switch"
                      checked={hideEmpty()}
                      onChange={(e) => {
                        setHideEmpty(e.currentTarget.checked);
                        writeFlag(HIDE_EMPTY_KEY, e.currentTarget.checked);
                      }}
                    />
                    Hide empty
                  </label>
                </div>
                <RoomFilter id="switcher-filter" value={directory.search()} onInput={(text) => directory.setSearch(text)} />
                <RoomList
                  rooms={visibleRooms(directory.rooms(), hideEmpty(), roomId())}
                  currentId={roomId()}
                  empty="No rooms to show."
                  onNavigate={() => setRoomsOpen(false)}
                  hasMore={directory.hasMore()}
                  loadingMore={directory.loadingMore()}
                  moreError={directory.moreError()}
                  onLoadMore={() => directory.loadMore()}
                />
                <Link href="/" class="button button-quiet all-rooms-link">
                  All rooms · create one
                </Link>
              </nav>
              <Show when={roomsOpen()}>
                <button type="button" class="scrim" aria-label="Close the room list" onClick={() => setRoomsOpen(false)} />
              </Show>
              <Show when={roomId()} keyed>
                {(id) => (
                  <RoomPage
                    roomId={id}
                    viewer={props.viewer}
                    client={client}
                    outbox={messages.outbox}
                    knownName={directory.nameOf(id)}
                    peopleOpen={peopleOpen()}
                    onTogglePeople={() => setPeopleOpen(!peopleOpen())}
                    onToggleRooms={() => setRoomsOpen(!roomsOpen())}
                    onSessionEnded={() => props.onSessionEnded()}
                    watchRefusals={(listener) => messages.onRefused(listener)}
                    onViewerMembershipChanged={onViewerMembershipChanged}
                    onOpenDirect={openDirect}
                    onAccept={accept}
                    onDecline={decline}
                    onLeave={leaveRoom}
                    unreadElsewhere={mine.totalUnread() - unreadIn(id)}
                    unreadHere={unreadIn(id)}
                    onRead={(room) => mine.add(room)}
                    onSeen={(cursor) => notifier.seen(id, cursor)}
                    onNotable={(message, room) => notifier.message(message, room)}
                    jumpRequest={jumpRequest()?.roomId === id ? jumpRequest() : null}
                    onJumpHandled={() => setJumpRequest(null)}
                  />
                )}
              </Show>
            </div>
          )}
        </Match>
        <Match when={route().name === 'notFound'}>
          <main class="room-missing" id="main">
            <h1>Nothing here</h1>
            <Link href="/" class="button button-primary">
              See all rooms
            </Link>
          </main>
        </Match>
      </Switch>
    </div>
  );
};
