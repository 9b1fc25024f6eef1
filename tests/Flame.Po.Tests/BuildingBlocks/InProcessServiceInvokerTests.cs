using Flame.Po.Core;
using Flame.Po.Dapr;
using Flame.Po.Dapr.Invocation;
using Flame.Po.Dapr.State;
using Microsoft.Extensions.DependencyInjection;

namespace Flame.Po.Tests.BuildingBlocks;

public sealed class InProcessServiceInvokerTests
{
    private sealed record Echo(string Text);

    [Fact]
    public async Task Calls_the_registered_method_with_body_and_passes_the_status_through()
    {
        await using var provider = Build(hosted: true);
        var invoker = provider.GetRequiredService<IServiceInvoker>();

        var ok = await invoker.InvokeAsync(AppIds.Lifecycle,
            new InvocationRequest(HttpMethod.Post, "/analyses/echo", StateJson.ToElement(new Echo("hi"))), CancellationToken.None);
        var conflict = await invoker.InvokeAsync(AppIds.Lifecycle, new InvocationRequest(HttpMethod.Get, "analyses/conflict"), CancellationToken.None);

        ok.IsSuccess.Should().BeTrue();
        ok.Body!.Value.GetProperty("text").GetString().Should().Be("hi!");
        conflict.StatusCode.Should().Be(409);
    }

    [Fact]
    public async Task An_unknown_method_of_a_hosted_app_is_404()
    {
        await using var provider = Build(hosted: true);

        var response = await provider.GetRequiredService<IServiceInvoker>()
            .InvokeAsync(AppIds.Lifecycle, new InvocationRequest(HttpMethod.Delete, "analyses/echo"), CancellationToken.None);

        response.StatusCode.Should().Be(404);
    }

    [Fact]
    public async Task An_app_not_composed_into_this_process_is_unavailable()
    {
        await using var provider = Build(hosted: false);

        var act = () => provider.GetRequiredService<IServiceInvoker>()
            .InvokeAsync(AppIds.Lifecycle, new InvocationRequest(HttpMethod.Post, "analyses/echo"), CancellationToken.None);

        (await act.Should().ThrowAsync<ServiceUnavailableException>()).Which.AppId.Should().Be("lifecycle");
    }

    private static ServiceProvider Build(bool hosted)
    {
        var services = new ServiceCollection();
        if (hosted)
        {
            services.AddHostedApp(AppIds.Lifecycle);
        }

        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Post, "analyses/echo",
            (_, request, _) => Task.FromResult(InvocationResponse.Ok(new Echo(request.GetBody<Echo>().Text + "!"))));
        services.AddInvocationMethod(AppIds.Lifecycle, HttpMethod.Get, "analyses/conflict",
            (_, _, _) => Task.FromResult(new InvocationResponse(409)));
        services.AddSingleton<IServiceInvoker, Flame.Po.Dapr.Embedded.InProcessServiceInvoker>();
        return services.BuildServiceProvider();
    }
}
