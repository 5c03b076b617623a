using System.Security.Claims;
using CrossLearn.Features.Learning;
using CrossLearn.Features.Memories;
using CrossLearn.Platform.Http;
using CrossLearn.Platform.Storage;
using FluentValidation;
using Marten;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace CrossLearn.Features.Experiments;

/// <summary>The fixed horizon an experiment is judged at.</summary>
public sealed record ExperimentHorizon(int UsersPerArm, int RatedTurnsPerArm);

/// <param name="Figures">The arms now (running or stopped), or as judged (concluded): users, rated turns, success rates,
/// the difference with its 95% interval. A running experiment's interval is shown, never judged, before the horizon.</param>
/// <param name="Verdict">Concluded only: <see cref="ExperimentVerdicts"/>.</param>
public sealed record ExperimentView(
    Guid ExperimentId, string Type, string Key, double TreatmentShare, string Status, string StartedBy, DateTimeOffset StartedAt,
    string? StoppedBy, DateTimeOffset? StoppedAt, ExperimentHorizon Horizon, ArmComparison Figures, string? Verdict, DateTimeOffset? ConcludedAt)
{
    public static ExperimentView From(Experiment e, IEnumerable<ExperimentOutcome> outcomes, ExperimentSettings settings) =>
        new(e.Id, e.Type, e.Key, e.TreatmentShare, e.Status, e.StartedBy, e.StartedAt, e.StoppedBy, e.StoppedAt,
            new ExperimentHorizon(settings.HorizonUsersPerArm, settings.HorizonRatedTurnsPerArm),
            e.Result ?? ExperimentDecider.Compare(outcomes), e.Verdict, e.ConcludedAt);

    public static async Task<ExperimentView> LoadAsync(ExperimentOutcomes outcomes, Experiment e, ExperimentSettings settings, CancellationToken ct) =>
        From(e, e.Result != null ? [] : await outcomes.OfAsync([e.Id], ct), settings);
}

public sealed class StartExperimentValidator : AbstractValidator<StartExperiment>
{
    public StartExperimentValidator()
    {
        // Personal info is never a pattern, so never tested on other users.
        RuleFor(x => x.Type).NotEmpty().Must(t => t is not null && MemoryTypes.All.Contains(t) && t != MemoryTypes.PersonalInfo)
            .WithMessage($"'{{PropertyName}}' must be one of {string.Join(", ", MemoryTypes.All.Where(t => t != MemoryTypes.PersonalInfo))}.");
        RuleFor(x => x.Key).NotEmpty().MaximumLength(200);
        RuleFor(x => x.TreatmentShare).ExclusiveBetween(0, 1).When(x => x.TreatmentShare != null);
    }
}

/// <summary>Admins start, stop and read A/B tests of patterns (docs/learning.md, "Experiments").</summary>
public static class ExperimentEndpoints
{
    [WolverinePost("/api/admin/experiments")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ExperimentView>(StatusCodes.Status201Created)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Start(
        StartExperiment request, ClaimsPrincipal principal, IDocumentSession session, ExperimentOutcomes outcomes, GlobalFiguresReader figures,
        ExperimentSettings settings, TimeProvider time, CancellationToken ct)
    {
        // The knowledge stream, locked until this request commits: experiments are decided one at a time, as promotions.
        var stream = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        // Held by someone in any shard database.
        var patternKnown = (await figures.OfPatternsAsync([Pattern.IdFor(request.Type!, request.Key!)], ct)).Count > 0;
        var now = time.GetUtcNow();
        var decision = ExperimentDecider.Start(request, stream.Aggregate ?? new KnowledgeBook(), patternKnown, Guid.CreateVersion7(now),
            Caller.From(principal).UserId, settings.TreatmentShare, now);
        if (decision is not ExperimentDecision.Append { Event: ExperimentStarted started }) return Refused(decision);

        stream.AppendOne(started);
        await session.SaveChangesAsync(ct);
        var experiment = await session.LoadAsync<Experiment>(started.ExperimentId, ct);
        return Results.Json(await ExperimentView.LoadAsync(outcomes, experiment!, settings, ct), statusCode: StatusCodes.Status201Created);
    }

    [WolverinePost("/api/admin/experiments/{experimentId}/stop")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ExperimentView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status409Conflict, "application/problem+json")]
    public static async Task<IResult> Stop(
        Guid experimentId, ClaimsPrincipal principal, IDocumentSession session, ExperimentOutcomes outcomes, ExperimentSettings settings,
        TimeProvider time, CancellationToken ct)
    {
        var stream = await session.FetchForDecidingAsync<KnowledgeBook>(KnowledgeStream.Key, ct);
        var decision = ExperimentDecider.Stop(await session.LoadAsync<Experiment>(experimentId, ct), Caller.From(principal).UserId, time.GetUtcNow());
        if (decision is not ExperimentDecision.Append { Event: ExperimentStopped stopped }) return Refused(decision);

        stream.AppendOne(stopped);
        await session.SaveChangesAsync(ct);
        return Results.Ok(await ExperimentView.LoadAsync(outcomes, (await session.LoadAsync<Experiment>(experimentId, ct))!, settings, ct));
    }

    [WolverineGet("/api/admin/experiments")]
    [Authorize(Policy = Policies.Admin)]
    public static async Task<IReadOnlyList<ExperimentView>> List(
        IQuerySession session, ExperimentOutcomes outcomesOfAll, ExperimentSettings settings, CancellationToken ct)
    {
        var experiments = await session.Query<Experiment>().OrderByDescending(e => e.StartedAt).ToListAsync(ct);
        var open = experiments.Where(e => e.Result == null).Select(e => e.Id).ToArray();
        var outcomes = (await outcomesOfAll.OfAsync(open, ct)).ToLookup(o => o.ExperimentId);
        return experiments.Select(e => ExperimentView.From(e, outcomes[e.Id], settings)).ToList();
    }

    [WolverineGet("/api/admin/experiments/{experimentId}")]
    [Authorize(Policy = Policies.Admin)]
    [ProducesResponseType<ExperimentView>(StatusCodes.Status200OK)]
    [ProducesResponseType<ProblemDetails>(StatusCodes.Status404NotFound, "application/problem+json")]
    public static async Task<IResult> Get(
        Guid experimentId, IQuerySession session, ExperimentOutcomes outcomes, ExperimentSettings settings, CancellationToken ct) =>
        await session.LoadAsync<Experiment>(experimentId, ct) is { } experiment
            ? Results.Ok(await ExperimentView.LoadAsync(outcomes, experiment, settings, ct))
            : ProblemResponses.NotFound("experiment");

    private static IResult Refused(ExperimentDecision decision) => decision is ExperimentDecision.Refuse refuse
        ? ProblemResponses.Result(refuse.Status, refuse.Title, refuse.Detail)
        : throw new InvalidOperationException($"Unexpected decision {decision}");
}
