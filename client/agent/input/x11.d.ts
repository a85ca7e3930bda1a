// The few parts of the x11 package (a pure JavaScript X11 client, no native code) the agent's input adapter uses.
declare module "x11" {
  export type XClient = {
    require(name: "xtest", callback: (error: Error | null, ext: XTestExtension) => void): void;
    require(name: "xinerama", callback: (error: Error | null, ext: XineramaExtension | undefined) => void): void;
    GetInputFocus(callback: (error: Error | null, focus: unknown) => void): void;
    QueryPointer(
      window: number,
      callback: (error: Error | null, pointer: { rootX: number; rootY: number; keyMask: number }) => void,
    ): void;
    GetImage(
      format: number,
      drawable: number,
      x: number,
      y: number,
      width: number,
      height: number,
      planeMask: number,
      callback: (error: Error | null, image: { depth: number; data: Uint8Array }) => void,
    ): void;
    QueryKeymap(callback: (error: Error | null, keys: Uint8Array) => void): void;
    GrabKey(
      window: number,
      ownerEvents: number,
      modifiers: number,
      keycode: number,
      pointerMode: number,
      keyboardMode: number,
    ): void;
    AllocID(): number;
    CreateWindow(
      id: number,
      parent: number,
      x: number,
      y: number,
      width: number,
      height: number,
      borderWidth: number,
      depth: number,
      windowClass: number,
      visual: number,
      values: { backgroundPixel?: number; borderPixel?: number; overrideRedirect?: number; eventMask?: number },
    ): void;
    DestroyWindow(window: number): void;
    MapWindow(window: number): void;
    UnmapWindow(window: number): void;
    RaiseWindow(window: number): void;
    OpenFont(font: number, name: string): void;
    CreateGC(gc: number, drawable: number, values: { foreground?: number; background?: number; font?: number }): void;
    ChangeGC(gc: number, values: { foreground?: number; background?: number }): void;
    ClearArea(window: number, x: number, y: number, width: number, height: number, exposures: number): void;
    PolyFillRectangle(drawable: number, gc: number, rectangles: number[]): void;
    ImageText8(drawable: number, gc: number, x: number, y: number, text: string): void;
    terminate(): void;
    on(event: "error" | "end", listener: (error?: Error) => void): void;
    on(
      event: "event",
      listener: (event: { name: string; keycode?: number; wid?: number; x?: number; y?: number }) => void,
    ): void;
  };
  export type XTestExtension = {
    KeyPress: number;
    KeyRelease: number;
    ButtonPress: number;
    ButtonRelease: number;
    MotionNotify: number;
    FakeInput(type: number, detail: number, time: number, window: number, x: number, y: number): void;
  };
  export type XineramaExtension = {
    QueryScreens(
      callback: (error: Error | null, screens: { x: number; y: number; width: number; height: number }[]) => void,
    ): void;
  };
  export type XDisplay = { client: XClient; screen: { root: number; pixel_width: number; pixel_height: number }[] };
  export function createClient(
    options: { display: string },
    callback: (error: Error | null, display: XDisplay) => void,
  ): XClient;
  const x11: { createClient: typeof createClient };
  export default x11;
}
