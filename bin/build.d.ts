// Types of bin/build.js (plain JavaScript: it runs before anything is compiled).
export declare const serverEntry: string;
export declare const webDist: string;
export declare function serverBuildIsStale(): boolean;
export declare function buildServer(): Promise<void>;
export declare function ensureServerBuild(): Promise<'fresh' | 'built' | 'shipped'>;
export declare function webBuildIsStale(): boolean;
export declare function ensureWebBuild(log?: (message: string) => void): Promise<'fresh' | 'built' | 'skipped'>;
