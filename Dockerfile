# A minimal image of Skein: the packed package installed with --omit=dev, as test/deploy checks it.
# No Docker engine runs on the machines Skein is developed on, so this file is not built in CI; it repeats
# the production-install steps that test/deploy/production-install.test.ts does prove.
#   docker build -t skein . && docker run -p 9411:9411 -p 4317:4317 -p 4318:4318 -v skein-data:/data skein
FROM node:20-bookworm-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
# npm ci runs prepare, which builds dist/ and ui/dist/; npm pack then ships only those.
RUN npm ci --no-audit --no-fund && npm pack --ignore-scripts --pack-destination /tmp
WORKDIR /app
RUN echo '{"name":"skein-app","private":true,"allowScripts":{"better-sqlite3":true,"protobufjs":true}}' > package.json \
  && npm install --omit=dev --no-audit --no-fund /tmp/skein-*.tgz

FROM node:20-bookworm-slim
COPY --from=build /app /app
RUN mkdir /data && chown node:node /data
USER node
WORKDIR /data
ENV SQLITE_PATH=/data/skein.sqlite
VOLUME /data
# Zipkin API, UI and collector; OTLP gRPC and HTTP; Jaeger collector, gRPC, sampling and query.
EXPOSE 9411 4317 4318 14268 14250 5778 16686 14269 6831/udp 6832/udp
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/node_modules/skein/dist/server/main.js"]
