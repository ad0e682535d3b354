# syntax=docker/dockerfile:1
# Switchboard's production image: `docker build -t switchboard .` (compose.yaml builds it too).
# One image for every role: web node (default command), job worker and migrations (compose.yaml
# overrides the command). Node 22 LTS, no build tools in the final stage, runs as `node` (uid 1000).

# 1. Build: TypeScript to dist/, the console with Vite into dist/agent-ui/dist.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

# 2. Runtime dependencies only (no tsx, vite, typescript, test tools).
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# 3. The image: the build and its runtime dependencies, nothing else.
FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
# The code is root's and read-only to the process; it writes nothing but its logs (stdout).
USER node
EXPOSE 3000
# /healthz answers while the process is up (readiness, with the database and Redis: /readyz).
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM closes gracefully within SHUTDOWN_GRACE_MS (keep compose's stop_grace_period above it).
STOPSIGNAL SIGTERM
CMD ["node", "dist/server/main.js"]
