export function requestScreenshot(
  name: string,
  options?: { target?: 'webview' | 'page'; waitForText?: string; selector?: string; timeoutMs?: number },
): Promise<{ path: string; text?: string }>;
