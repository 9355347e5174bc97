namespace Projects;

/// <summary>
/// This AppHost, named as Aspire's SDK names a referenced AppHost project for tests (<c>Projects.Brokkr_AppHost</c>):
/// <c>DistributedApplicationTestingBuilder.CreateAsync&lt;Projects.Brokkr_AppHost&gt;()</c> runs the entry point of the
/// assembly this type is in. Aspire generates the type into the test project; without its SDK the AppHost declares it.
/// </summary>
public sealed class Brokkr_AppHost
{
    private Brokkr_AppHost()
    {
    }
}
