// What the project chooser asks for and which answers it shows, without the DOM. Searches run beside the
// setup steps (a search must not wait for a three-minute Set Up), so answers can arrive out of order: each
// request is numbered and only the answer to the newest one is shown. "More…" asks for the next page of the
// query on screen, and is itself a request: a page of an older query never lands under a newer one.
import type { SetupMessage, SetupRequest } from '../../../src/webview/setupProtocol';

type ProjectsMessage = Extract<SetupMessage, { type: 'projects' }>;

export class ProjectSearch {
  private latest = 0;
  /** The query of the rows on screen, and the token of their next page. */
  private shown = { query: '', nextPageToken: undefined as string | undefined };

  /** A new search: what was on screen is about to be replaced. */
  search(query: string): SetupRequest {
    this.shown.nextPageToken = undefined;
    return { type: 'searchProjects', requestId: ++this.latest, query };
  }

  /** The next page of the rows on screen, if there is one. */
  more(): SetupRequest | undefined {
    const { query, nextPageToken } = this.shown;
    if (!nextPageToken) return undefined;
    this.shown.nextPageToken = undefined; // one click, one page
    return { type: 'searchProjects', requestId: ++this.latest, query, pageToken: nextPageToken };
  }

  /** The answer, if it is to the newest request (else undefined: an older search answered late). */
  accept(message: ProjectsMessage): ProjectsMessage | undefined {
    if (message.requestId !== this.latest) return undefined;
    this.shown = { query: message.query, nextPageToken: message.nextPageToken };
    return message;
  }
}
