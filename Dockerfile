# syntax=docker/dockerfile:1
# One image for every OpenKCM service; docker-compose.yml picks the entry point:
#   node dist/api/main.js | node dist/workers/main.js | node dist/kmip-server/main.js

# ---- build: all dependencies, compile TypeScript, build the console
FROM node:20-bookworm-slim AS build
# pkcs11js (under graphene-pk11) compiles a native addon.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# .npmrc points node-gyp at Debian's /usr headers; this image keeps Node under /usr/local.
RUN npm ci --no-audit --no-fund --nodedir=/usr/local
COPY . .
RUN npm run build \
 && (cd console && node ../node_modules/vite/bin/vite.js build --logLevel warn) \
 && npm prune --omit=dev --nodedir=/usr/local

# ---- runtime: production dependencies, compiled code, built console
FROM node:20-bookworm-slim AS runtime
# SoftHSM2 gives HYOK demos a PKCS#11 module inside the container; real HSMs mount their own.
RUN apt-get update \
 && apt-get install -y --no-install-recommends softhsm2 ca-certificates tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    OPENKCM_LISTEN_HOST=0.0.0.0 \
    OPENKCM_DATA_DIR=/var/lib/openkcm \
    OPENKCM_CONSOLE_DIR=/app/console/dist \
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/console/dist ./console/dist
RUN mkdir -p /var/lib/openkcm && chown node:node /var/lib/openkcm
USER node
EXPOSE 8080 5696 9696
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "--enable-source-maps", "dist/api/main.js"]
