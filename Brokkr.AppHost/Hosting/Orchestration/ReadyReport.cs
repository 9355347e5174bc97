namespace Brokkr.AppHost.Hosting;

/// <summary>The message printed once every resource is healthy or has given up: where to look, and what did not start.</summary>
internal static class ReadyReport
{
    public static IEnumerable<string> Lines(IReadOnlyList<IResource> model, IReadOnlyDictionary<IResource, IResourceRunner> runners,
        ResourceNotificationService notifications)
    {
        var problems = model.Where(runners.ContainsKey).Select(r => notifications.Get(r.Name))
            .Where(s => s.State != KnownResourceStates.Running).ToList();
        yield return problems.Count == 0
            ? "All resources are running and healthy. Where to look:"
            : "Started what could be started. Where to look:";
        var width = model.Max(r => r.Name.Length);
        foreach (var resource in model.Where(runners.ContainsKey))
        {
            var snapshot = notifications.Get(resource.Name);
            if (snapshot.State != KnownResourceStates.Running || snapshot.Urls.Count == 0)
            {
                continue;
            }

            var health = resource.Annotations.OfType<HttpHealthCheckAnnotation>()
                .Select(h => new EndpointReference((IResourceWithEndpoints)resource, h.EndpointName).Url + h.Path)
                .ToList();
            yield return $"  {resource.Name.PadRight(width)}  {string.Join(' ', snapshot.Urls)}" +
                         (health.Count > 0 ? $"  (health: {string.Join(' ', health)})" : "");
            foreach (var note in resource.Annotations.OfType<ResourceNoteAnnotation>())
            {
                yield return $"  {"".PadRight(width)}  {note.Text}";
            }
        }

        foreach (var problem in problems)
        {
            yield return $"  {problem.Name.PadRight(width)}  not running: {problem.State}{(problem.Message is null ? "" : " - " + problem.Message)}";
        }

        yield return "Press Ctrl+C to stop everything.";
    }
}
