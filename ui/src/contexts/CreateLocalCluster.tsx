import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useBackend } from "../app/backend-context";
import { toApiError, type ApiError, type LocalClusterCreated, type LocalClusterTool, type LocalClusterToolInfo } from "../ipc";
import { contextKeys } from "./queries";
import "../catalog/catalog.css";

const LABELS: Record<LocalClusterTool, string> = { kind: "kind", k3d: "k3d", minikube: "minikube" };

/** "Create a local cluster" with kind, k3d or minikube when one is on PATH; the tool's output streams in. */
export function CreateLocalCluster() {
  const backend = useBackend();
  const client = useQueryClient();
  const tools = useQuery<LocalClusterToolInfo[], ApiError>({
    queryKey: ["localClusterTools"],
    queryFn: () => backend.localClusterTools().catch((e: unknown) => Promise.reject(toApiError(e))),
    staleTime: Infinity,
  });
  const [open, setOpen] = useState(false);
  const [tool, setTool] = useState<LocalClusterTool | null>(null);
  const [name, setName] = useState("berth-dev");
  const [lines, setLines] = useState<string[]>([]);
  const create = useMutation<LocalClusterCreated, ApiError, { tool: LocalClusterTool; name: string }>({
    mutationFn: (input) => {
      setLines([]);
      return backend
        .createLocalCluster(input, (line) => setLines((l) => [...l, line]))
        .catch((e: unknown) => Promise.reject(toApiError(e)));
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: contextKeys.all }),
  });
  const available = tools.data ?? [];
  if (available.length === 0) return null;
  const chosen = tool ?? available[0]!.tool;

  if (!open) {
    return (
      <button type="button" className="button" onClick={() => setOpen(true)}>
        Create local cluster
      </button>
    );
  }
  return (
    <section className="card local-cluster" aria-label="Create a local cluster" data-testid="create-cluster">
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate({ tool: chosen, name: name.trim() });
        }}
      >
        <label className="field-stack">
          Tool
          <select className="input" value={chosen} onChange={(e) => setTool(e.target.value as LocalClusterTool)} disabled={create.isPending}>
            {available.map((t) => (
              <option key={t.tool} value={t.tool} title={t.path}>
                {LABELS[t.tool]}
              </option>
            ))}
          </select>
        </label>
        <label className="field-stack">
          Cluster name
          <input className="input mono" value={name} onChange={(e) => setName(e.target.value)} disabled={create.isPending} />
        </label>
        <button type="submit" className="button button--primary" disabled={create.isPending || !name.trim()}>
          {create.isPending ? "Creating…" : "Create"}
        </button>
        <button type="button" className="button button--ghost" onClick={() => setOpen(false)} disabled={create.isPending}>
          Close
        </button>
      </form>
      {lines.length > 0 ? (
        <pre className="cluster-output" aria-live="polite" data-testid="cluster-output">
          {lines.join("\n")}
        </pre>
      ) : null}
      {create.isSuccess ? (
        <p role="status" data-testid="cluster-created">
          Created: the context <span className="mono">{create.data.context}</span> is in your kubeconfig.
        </p>
      ) : null}
      {create.isError ? (
        <p className="form-actions__note--error" role="alert">
          {create.error.message}
        </p>
      ) : null}
    </section>
  );
}
