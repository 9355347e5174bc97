namespace Brokkr.AppHost.Hosting;

/// <summary>The message printed once every resource is healthy or has given up: where to look, and what did not start.</summary>
internal static class ReadyReport
{
    public static IEnumerable<string> Lines(IReadOnlyList<IResource> model, IReadOnlyDictionary<IResource, IResourceRunner> runners,
        IEnumerable<string> problems, ResourceNotificationService notifications)
    {
        var problemList = problems.ToList();
        yield return problemList.Count == 0
            ? "All resources are running and healthy. Where to look:"
            : "Started what could be started. Where to look:";
        var width = model.Max(r => r.Name.Length);
        foreach (var resource in model.Where(runners.ContainsKey))
        {
            var snapshot = notifications.Get(resource.Name);
            if (snapshot.State != KnownResourceStates.Running)
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

        foreach (var problem in problemList)
        {
            yield return "  not running: " + problem;
        }

        yield return "Press Ctrl+C to stop everything.";
    }
}
