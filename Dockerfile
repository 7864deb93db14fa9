# The pnet API image (compose.yaml's `api` service). Dependencies come from the lock file.
FROM python:3.11-slim
RUN pip install --no-cache-dir "uv>=0.4"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
COPY network network
COPY schema schema
COPY loaders loaders
COPY pnet_cli pnet_cli
RUN uv sync --frozen && useradd --system pnet
ENV PATH="/app/.venv/bin:$PATH"
USER pnet
EXPOSE 8000
CMD ["pnet", "serve", "--host", "0.0.0.0", "--port", "8000"]
