// Suite side of screenshot.mjs (the runner side is untyped: only run.mjs uses it).

/**
 * A picture of the last visible webview (target 'webview', the default) or of the workbench (target 'page', or only
 * `selector` there). `text` is the webview's body text, or the text of the page / `selector`. `waitForText` waits
 * until that text shows there first.
 */
export function requestScreenshot(
  name: string,
  options?: { target?: 'webview' | 'page'; waitForText?: string; selector?: string; timeoutMs?: number },
): Promise<{ path: string; text?: string }>;

/**
 * Runs a command through the command palette as a person does: focus the editor area, F1, type `>title`, wait for
 * the entry labelled exactly `title` (e.g. 'DL Lab: Train Model'), select it, Enter. Resolves once the palette has
 * closed (`closed: true`), or when the command opened a quick input of its own (`closed: false`, `quickInput`:
 * its placeholder, left open). The command may still be running: wait for its effect.
 */
export function runPaletteCommand(
  title: string,
  options?: { timeoutMs?: number },
): Promise<{ closed: boolean; quickInput?: string }>;

/** The labels the command palette lists for `>query` (the rows that fit, about a dozen); runs nothing. */
export function paletteEntries(query: string, options?: { timeoutMs?: number }): Promise<string[]>;

/**
 * Presses keys on the workbench page where the focus is, in order; playwright's key names ('Escape', 'Enter',
 * 'Control+Shift+P', 'a'). `focusEditor` first clicks the active editor's tab.
 */
export function pressKeys(keys: string[], options?: { focusEditor?: boolean; delayMs?: number; timeoutMs?: number }): Promise<void>;

/**
 * Switches away from the workbench as a person switching to another window: another page comes to the front and the
 * workbench loses the focus, so VS Code saves its UI state (open editors, webview panels with their state, layout)
 * and pauses its periodic saves. The next runPaletteCommand, or pressKeys with focusEditor, brings it back.
 */
export function leaveWorkbench(options?: { timeoutMs?: number }): Promise<void>;
