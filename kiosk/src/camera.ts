/**
 * Camera streaming: a later issue fills this in (getUserMedia, frames to the server over
 * /ws/kiosk, the recognition result on screen). The kiosk holds no biometric data: it only sends
 * frames. `startCamera` is called once the kiosk is online and gets the area to draw in.
 */

export interface CameraHandle {
  stop(): void;
}

export function startCamera(_area: HTMLElement): CameraHandle {
  return { stop() {} };
}
